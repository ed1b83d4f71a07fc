using Coffer.Common.IO;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Coffer.Server.Pipeline;

/// <summary>
/// The request body as Kestrel delivers it, counted, so that an answer given before the body was read leaves the
/// connection in a known state. Left alone, Kestrel drains an unread body after the answer; but a client that sent
/// <c>Expect: 100-continue</c> and got a final status instead of <c>100 Continue</c> skips the body (botocore and
/// awscli do), and the drain then swallows its next request. So before an error answer a small remainder is read and
/// dropped, and any answer that starts while the body is still unread says <c>Connection: close</c>. A body the client
/// holds back for <c>100 Continue</c> is never drained: Kestrel sends that interim answer on the first read, and a
/// refused request must get its final status instead (RFC 9110 §10.1.1), before the client sends anything.
/// </summary>
internal sealed class RequestBody : ForwardReadStream
{
    /// <summary>The most an error answer waits to read and drop; a larger remainder closes the connection instead.</summary>
    public const long DrainLimit = 64 * 1024;

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly Stream _inner;
    private readonly long? _length;
    private readonly bool _awaitsContinue;
    private bool _reading;
    private long _read;
    private bool _ended;

    private RequestBody(Stream inner, long? length, bool canHaveBody, bool awaitsContinue)
    {
        _inner = inner;
        _length = length;
        _ended = !canHaveBody;
        _awaitsContinue = awaitsContinue;
    }

    /// <summary>True once the body has been read to its end (or the request has none).</summary>
    public bool IsComplete => _ended || (_length is { } length && _read >= length);

    /// <summary>Puts a counted body in place of the request's, and closes the connection after any answer that leaves it unread.</summary>
    public static RequestBody Attach(HttpContext http)
    {
        var canHaveBody = http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? http.Request.ContentLength > 0;
        var awaitsContinue = http.Request.Headers.Expect.ToString().Equals("100-continue", StringComparison.OrdinalIgnoreCase);
        var body = new RequestBody(http.Request.Body, http.Request.ContentLength, canHaveBody, awaitsContinue);
        http.Request.Body = body;
        http.Response.OnStarting(() =>
        {
            if (!body.IsComplete)
            {
                http.Response.Headers.Connection = "close";
            }

            return Task.CompletedTask;
        });
        return body;
    }

    /// <summary>
    /// Reads and drops what is left of a body of at most <see cref="DrainLimit"/> bytes, so the connection can serve the
    /// next request; a larger or unfinished body, or one not yet asked for with <c>100 Continue</c>, is left for
    /// <see cref="Attach"/>'s <c>Connection: close</c>.
    /// </summary>
    public async Task DrainAsync(CancellationToken aborted)
    {
        if (IsComplete || (_awaitsContinue && !_reading) || (_length is { } length && length - _read > DrainLimit))
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(DrainTimeout);
        var buffer = new byte[16 * 1024];
        var dropped = 0L;
        try
        {
            while (!IsComplete && dropped <= DrainLimit)
            {
                dropped += await ReadAsync(buffer, timeout.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or BadHttpRequestException)
        {
            // The client stopped sending or went away: the answer closes the connection.
        }
    }

    public override int Read(Span<byte> buffer)
    {
        _reading = true;
        return Count(_inner.Read(buffer), buffer.Length);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _reading = true;
        return Count(await _inner.ReadAsync(buffer, cancellationToken), buffer.Length);
    }

    private int Count(int read, int asked)
    {
        _read += read;
        if (read == 0 && asked > 0)
        {
            _ended = true;
        }

        return read;
    }
}
