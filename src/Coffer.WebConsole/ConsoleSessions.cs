using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Coffer.WebConsole;

/// <summary>A signed-in browser: whose key it signed in with, the CSRF token its page must echo, when it lapses.</summary>
internal sealed record ConsoleSession(string SecretId, string CsrfToken, DateTimeOffset Expires);

/// <summary>
/// Console sessions, in memory (a restart signs everyone out). The session id travels only in an <c>HttpOnly</c>,
/// <c>SameSite=Strict</c> cookie; every request that changes something must also carry the session's CSRF token in
/// <see cref="CsrfHeader"/>, which a page of another site can neither read nor send.
/// </summary>
internal sealed class ConsoleSessions(TimeProvider time)
{
    public const string CookieName = "coffer_console";
    public const string CsrfHeader = "X-Coffer-Csrf";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);

    public ConsoleSession Start(HttpContext http, string secretId)
    {
        var now = time.GetUtcNow();
        foreach (var (id, old) in _sessions)
        {
            if (old.Expires <= now)
            {
                _sessions.TryRemove(id, out _);
            }
        }

        var sessionId = NewToken();
        var session = new ConsoleSession(secretId, NewToken(), now + Lifetime);
        _sessions[sessionId] = session;
        http.Response.Cookies.Append(CookieName, sessionId, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/",
            MaxAge = Lifetime,
        });
        return session;
    }

    /// <summary>The request's live session, or null.</summary>
    public ConsoleSession? Find(HttpContext http) =>
        http.Request.Cookies.TryGetValue(CookieName, out var id) && id is not null && _sessions.TryGetValue(id, out var session)
            && session.Expires > time.GetUtcNow()
            ? session
            : null;

    public void End(HttpContext http)
    {
        if (http.Request.Cookies.TryGetValue(CookieName, out var id) && id is not null)
        {
            _sessions.TryRemove(id, out _);
        }

        http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict });
    }

    /// <summary>Whether a request that changes something carries its session's CSRF token (compared in constant time).</summary>
    public static bool CarriesCsrfToken(HttpContext http, ConsoleSession session) =>
        http.Request.Headers.TryGetValue(CsrfHeader, out var sent)
        && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(sent.ToString()), System.Text.Encoding.ASCII.GetBytes(session.CsrfToken));

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
