using System.Diagnostics;
using Coffer.Common;
using Coffer.Composition;
using Coffer.Model.Accounts;
using Coffer.Model.Notifications;
using Coffer.Protocol.Auth;
using Coffer.Protocol.Errors;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Coffer.Server.AccessLogs;
using Coffer.Server.Handlers;
using Coffer.Storage;
using Coffer.Storage.Encryption;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Pipeline;

/// <summary>
/// Every request takes the same path: assign ids, read the dialect, route, authenticate, authorize (the bucket's
/// policy and ACL, the caller's own policies), run the operation's handler; any failure becomes the dialect's error
/// response.
/// </summary>
internal sealed class RequestPipeline(
    Router router,
    Authenticator authenticator,
    Authorizer authorizer,
    AccountDirectory accounts,
    OperationHandlers handlers,
    CorsResponder cors,
    AccessLogRecorder accessLogs,
    RequestMetrics metrics,
    TimeProvider time,
    ILogger<RequestPipeline> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        var receivedAt = time.GetUtcNow();
        var requestId = RequestIds.NewRequestId(receivedAt);
        var rawTarget = OriginForm(http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? http.Request.Path.Value ?? "/");
        var dialect = Dialect.Cos;
        var operation = "-";
        string? bucket = null, errorCode = null, caller = null;
        // The status of an error raised once the response had started (a read that failed part way): the client saw the
        // start of a 200, but metrics and the request log count the failure.
        int? failedStatus = null;
        Route? route = null;
        Authenticated? authenticated = null;
        var bucketRules = BucketRulesLookup.NotLookedUp;
        CommonHeaders.Apply(http.Response, requestId, dialect);
        var body = RequestBody.Attach(http);
        if (http.Request.ContentLength == 0 && http.Request.Headers.Expect.ToString().Equals("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            // With an empty body Kestrel answers without "100 Continue", which botocore misreads on the reused connection
            // (boto/botocore#3755): it waits out its read timeout and sends the next PUT again. A fresh connection avoids it.
            http.Response.Headers.Connection = "close";
        }

        try
        {
            var target = RequestTarget.Parse(rawTarget);
            string? Header(string name) => http.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;

            // Known before routing, so an error the router raises answers in the request's vocabulary too.
            dialect = Router.DialectOf(target, Header, http.Request.Headers.Keys);
            CommonHeaders.Apply(http.Response, requestId, dialect);
            if (PresignedHeaders.IsQuerySigned(target, Header("Authorization")))
            {
                // Before routing, so that a copy source in the query makes the request a copy as the header would; a
                // header of the same name is replaced, as the signature covers the query's value and not the header's.
                foreach (var (name, value) in PresignedHeaders.Of(target))
                {
                    http.Request.Headers[name] = value;
                }
            }

            route = router.Resolve(http.Request.Method, http.Request.Host.Value, target, dialect, Header);
            operation = route.Operation.ToString();
            bucket = route.Bucket;
            if (route.Operation == Operation.OptionsObject)
            {
                // A preflight carries no credentials: the bucket's CORS configuration alone decides.
                await cors.PreflightAsync(http, route.Bucket!);
                return;
            }

            if (route.Bucket is not null)
            {
                // Before anything can fail, so that a page allowed to read this bucket can read its errors too, as S3 answers.
                cors.Apply(http, route.Bucket);
            }

            IReadOnlyDictionary<string, string>? formFields = null;
            if (route.Operation == Operation.PostObject)
            {
                // A browser form upload: its fields say the dialect, the key and the credentials; the file streams after them.
                var form = await PostForm.ReadAsync(http.Request, http.RequestAborted);
                dialect = form.Dialect;
                CommonHeaders.Apply(http.Response, requestId, dialect);
                route = route with { Dialect = dialect, Key = form.Key() };
                authenticated = authenticator.AuthenticatePost(form, route.Bucket!, route.Key!);
                formFields = form.AsHeaders(WireHeaders.For(dialect));
            }
            else
            {
                authenticated = authenticator.Authenticate(http.Request, target, route, Header);
            }

            caller = authenticated.Credential?.Identity.Principal;
            var sourceIp = RequestContext.SourceIpOf(http);
            var conditions = new RequestConditions(http.Request, formFields, WireHeaders.For(dialect).Prefix);
            // Once the lookup has answered, the access-log record takes the rules from here (or knows the bucket is missing)
            // rather than read them again; a lookup that failed otherwise (the database away) leaves the record to try again.
            try
            {
                if (authorizer.RulesOf(route) is { } found)
                {
                    bucketRules = BucketRulesLookup.Found(found);
                }
            }
            catch (CofferException missing) when (missing.Code == ErrorCode.NoSuchBucket)
            {
                bucketRules = BucketRulesLookup.BucketMissing;
                throw;
            }

            var rules = bucketRules.Rules;
            authorizer.Authorize(authenticated.Credential, route, rules, target, sourceIp, conditions);
            authorizer.CheckSignedRegion(authenticated.SignedRegion, authenticated.Presigned, route, rules);
            if (Authorizer.ChargesRequester(authenticated.Credential, rules))
            {
                // An error's response drops it with the other headers: an error answer carries no x-amz-request-charged.
                http.Response.Headers[WireHeaders.For(dialect).Prefix + "request-charged"] = "requester";
            }

            if (dialect == Dialect.Cos)
            {
                TrafficLimit.Check(Header("x-cos-traffic-limit") ?? target.Get("x-cos-traffic-limit"));
            }

            var handler = handlers.Find(route.Operation)
                ?? throw new CofferException(ErrorCode.NotImplemented, $"{route.Operation} is not implemented.");
            var owner = rules is null ? null : accounts.FindByAppId(rules.Bucket.OwnerAppId);
            Authorizer.CheckExpectedOwner(Header(WireHeaders.For(dialect).Prefix + "expected-bucket-owner"), owner);

            // Event notifications say who made a change: the request's transactions run in this flow and read it there.
            RequestOrigin.Current = new RequestOrigin(caller ?? "anonymous", sourceIp, requestId);
            try
            {
                await handler(new RequestContext(http, target, route, authenticated, rules, owner, requestId, accounts, formFields));
            }
            catch (CofferException missing) when (missing.Code is ErrorCode.NoSuchKey or ErrorCode.NoSuchVersion && rules is not null)
            {
                throw Authorizer.MissingKeyError(missing, authenticated.Credential, route, rules, sourceIp, conditions);
            }
        }
        catch (CofferException error)
        {
            await FailAsync(error);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            Log.ClientGone(logger, requestId, "cancelled");
            if (!http.Response.HasStarted && !body.IsComplete)
            {
                // Gone while sending its body, as Kestrel reports it at times instead of BadHttpRequestException: nothing
                // was stored, and the records say so rather than the default 200 of an answer never sent.
                var descriptor = ErrorTable.Get(ErrorCode.IncompleteBody);
                errorCode = descriptor.CodeFor(dialect);
                http.Response.StatusCode = descriptor.Status;
            }
        }
        catch (MetadataUnavailableException error)
        {
            // The database is down or failing over: the client may retry (every SDK retries a 503), the node stays up.
            Log.MetadataUnavailable(logger, requestId, error.Message);
            await FailAsync(new CofferException(ErrorCode.ServiceUnavailable));
        }
        catch (BlobIntegrityException error)
        {
            // Fails closed: no unverified byte was sent (or the connection is cut if some verified ones were).
            Log.Integrity(logger, error, requestId);
            await FailAsync(new CofferException(ErrorCode.InternalError));
        }
        catch (BadHttpRequestException error)
        {
            // Kestrel could not read the body as announced (short body, bad chunking, connection reset).
            Log.ClientGone(logger, requestId, error.Message);
            await FailAsync(new CofferException(ErrorCode.IncompleteBody, error.Message));
        }
        catch (Exception error) when (DiskFull.Is(error))
        {
            // The operator's to mend, not an internal error: one line, and a status clients do not send the body again for.
            Log.DiskFull(logger, requestId, error.Message);
            await FailAsync(new CofferException(ErrorCode.InsufficientStorage));
        }
        catch (Exception error)
        {
            Log.Unexpected(logger, error, requestId);
            await FailAsync(new CofferException(ErrorCode.InternalError));
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            try
            {
                accessLogs.Record(http, new AnsweredRequest(route, bucketRules, receivedAt, requestId, rawTarget, caller, authenticated?.Credential is not null,
                    authenticated?.Presigned ?? false, authenticated?.ContentLength, errorCode, elapsed));
            }
            catch (Exception error)
            {
                // The client has its answer: a record that cannot be made must not skip the metrics nor reach Kestrel.
                Log.AccessLogFailed(logger, error, requestId);
            }

            var status = failedStatus ?? http.Response.StatusCode;
            metrics.Record(operation, dialect.ToString(), status, elapsed.TotalSeconds, http.Request.ContentLength, http.Response.ContentLength);
            if (logger.IsEnabled(LogLevel.Debug))
            {
                Log.Request(logger, http.Request.Method, rawTarget, operation, bucket ?? "-", status, errorCode ?? "-", caller ?? "anonymous",
                    elapsed.TotalMilliseconds, requestId);
            }
        }

        // An error can come before the body was read: the rest of a small one is dropped so the connection stays usable.
        async Task FailAsync(CofferException error)
        {
            // The code the client reads in its dialect (S3's KeyTooLongError, not our enum's name); a 304 has none.
            var descriptor = ErrorTable.Get(error.Code);
            errorCode = descriptor.Status == StatusCodes.Status304NotModified ? null : descriptor.CodeFor(dialect);
            if (http.Response.HasStarted)
            {
                failedStatus = descriptor.Status;
            }

            await body.DrainAsync(http.RequestAborted);
            var query = rawTarget.IndexOf('?', StringComparison.Ordinal);
            await ErrorResponder.WriteAsync(http, error, dialect, requestId, query < 0 ? rawTarget : rawTarget[..query]);
        }
    }

    /// <summary>
    /// A target in absolute form (<c>http://host/path?query</c>, what clients send through a proxy) as its origin form: RFC
    /// 9112 §3.2.2 has servers accept both, and Kestrel has checked that the Host header names the same authority.
    /// </summary>
    private static string OriginForm(string rawTarget)
    {
        if (rawTarget.StartsWith('/') || !(rawTarget.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || rawTarget.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
        {
            return rawTarget;
        }

        var authority = rawTarget.IndexOf("://", StringComparison.Ordinal) + 3;
        var end = rawTarget.IndexOfAny(['/', '?'], authority);
        return end < 0 ? "/" : rawTarget[end] == '?' ? "/" + rawTarget[end..] : rawTarget[end..];
    }
}
