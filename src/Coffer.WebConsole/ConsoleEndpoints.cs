using System.Security.Cryptography;
using System.Text;
using Coffer.Common;
using Coffer.Model.Accounts;
using Coffer.Server.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Coffer.WebConsole;

/// <summary>
/// The console's JSON API under <c>/api</c>: sign-in and out, and a guard around every other endpoint that finds the
/// session's identity afresh (a deleted key signs its sessions out), demands the CSRF token on anything but GET, and
/// answers errors as <c>{code, message}</c> with the API's status codes.
/// </summary>
internal sealed class ConsoleEndpoints(ConsoleSessions sessions, IdentityDirectory identities, Authorizer authorizer, TimeProvider time)
{
    private sealed record SignIn(string? SecretId, string? SecretKey);

    public void MapSession(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/session", async http =>
        {
            var body = await ReadJsonAsync<SignIn>(http);
            var credential = body?.SecretId is { Length: > 0 } id ? identities.Find(id) : null;
            if (credential is null || body!.SecretKey is null || !SameKey(credential.SecretKey, body.SecretKey))
            {
                await ConsoleRequest.ErrorAsync(http, 401, "InvalidCredentials", "The SecretId or SecretKey is wrong.");
                return;
            }

            if (credential.IsTemporary)
            {
                await ConsoleRequest.ErrorAsync(http, 401, "InvalidCredentials", "Temporary keys cannot sign in to the console; use a root or sub-account key.");
                return;
            }

            var session = sessions.Start(http, credential.SecretId);
            await new ConsoleRequest(http, credential, authorizer).JsonAsync(Describe(credential, session));
        });

        routes.MapGet("/api/session", http => Guarded(http, request =>
            request.JsonAsync(Describe(request.Caller, sessions.Find(http)!))));

        routes.MapDelete("/api/session", http => Guarded(http, request =>
        {
            sessions.End(http);
            http.Response.StatusCode = 204;
            return Task.CompletedTask;
        }));
    }

    /// <summary>Runs <paramref name="handler"/> for a signed-in, CSRF-checked request; any CofferException becomes its JSON error.</summary>
    public async Task Guarded(HttpContext http, Func<ConsoleRequest, Task> handler)
    {
        var session = sessions.Find(http);
        var credential = session is null ? null : identities.Find(session.SecretId);
        if (session is null || credential is null || credential.ExpiresAt < time.GetUtcNow())
        {
            await ConsoleRequest.ErrorAsync(http, 401, "NotSignedIn", "Sign in with a SecretId and SecretKey.");
            return;
        }

        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !ConsoleSessions.CarriesCsrfToken(http, session))
        {
            await ConsoleRequest.ErrorAsync(http, 403, "InvalidCsrfToken", $"Requests that change something need the session's {ConsoleSessions.CsrfHeader} header.");
            return;
        }

        try
        {
            await handler(new ConsoleRequest(http, credential, authorizer));
        }
        catch (CofferException error)
        {
            if (!http.Response.HasStarted)
            {
                await ConsoleRequest.ErrorAsync(http, error);
            }
        }
    }

    /// <summary>A JSON body, or null when there is none, it is not JSON, or it does not parse (the caller answers 400 or 401).</summary>
    public static async Task<T?> ReadJsonAsync<T>(HttpContext http)
        where T : class
    {
        if (!http.Request.HasJsonContentType())
        {
            return null;
        }

        try
        {
            return await http.Request.ReadFromJsonAsync<T>(ConsoleRequest.Json, http.RequestAborted);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static object Describe(Credential credential, ConsoleSession session) => new
    {
        appId = credential.Identity.Root.AppId,
        uin = credential.Identity.Uin,
        name = credential.Identity.Name ?? credential.Identity.Root.DisplayName,
        isRoot = credential.Identity.IsRoot,
        csrfToken = session.CsrfToken,
    };

    private static bool SameKey(string expected, string given) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(given)));
}
