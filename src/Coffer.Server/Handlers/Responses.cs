using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

internal static class Responses
{
    /// <summary>
    /// How much of a streamed body is read at a time (one copy into the pipe, one flush to the socket): 256 KiB, and
    /// 1 MiB for a body of <see cref="LargeBody"/> or more. For a 1 GiB GET 1 MiB took a third off the server's CPU and
    /// sent it a third faster (docs/performance-history.md, "GET: larger chunks"). The pipe serves a chunk above its 16
    /// KiB blocks from the shared ArrayPool, and a GET can hold two chunks while the first is sent: the larger chunk is
    /// kept for bodies (or ranges) as large as those BlobStore reads around the page cache, so that many mid-size
    /// downloads at once hold no more memory than before.
    /// </summary>
    private const int ChunkSize = 256 * 1024;

    private const int LargeChunkSize = 1024 * 1024;

    /// <summary>The size from which a body is sent in <see cref="LargeChunkSize"/> chunks (that of BlobStore's direct reads).</summary>
    private const long LargeBody = 64L << 20;

    public static Task XmlAsync(RequestContext context, byte[] body, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.Aborted).AsTask();
    }

    public static Task BytesAsync(RequestContext context, byte[] body, string contentType)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.Aborted).AsTask();
    }

    /// <summary>
    /// Sends <paramref name="length"/> bytes of <paramref name="body"/> as the response body, read straight into the
    /// response pipe's own buffers (a chunk at a time): a <see cref="Stream.CopyToAsync(Stream)"/> reads
    /// into a buffer of its own and the response stream copies that again into the pipe.
    /// </summary>
    public static async Task StreamAsync(RequestContext context, Stream body, long length)
    {
        var writer = context.Response.BodyWriter;
        var chunk = length >= LargeBody ? LargeChunkSize : ChunkSize;
        var left = length;
        while (left > 0)
        {
            // No more than is left: the pipe need not find room for a whole chunk for the end of a body.
            var wanted = (int)Math.Min(chunk, left);
            var memory = writer.GetMemory(wanted);
            var read = await body.ReadAsync(memory[..Math.Min(memory.Length, wanted)], context.Aborted);
            if (read == 0)
            {
                throw new InvalidDataException($"The object's bytes ended {left} bytes before its length.");
            }

            writer.Advance(read);
            left -= read;
            var flushed = await writer.FlushAsync(context.Aborted);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                return;
            }
        }
    }

    public static Task EmptyAsync(RequestContext context, int status = 200)
    {
        context.Response.StatusCode = status;
        if (status != 204)
        {
            context.Response.ContentLength = 0;
        }

        return Task.CompletedTask;
    }
}
