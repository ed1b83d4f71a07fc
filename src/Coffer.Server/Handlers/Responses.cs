using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

internal static class Responses
{
    /// <summary>
    /// How much of a streamed body is read at a time (one copy into the pipe, one flush to the socket). 1 MiB against
    /// 256 KiB took a third off the CPU of a 1 GiB GET and sent it 35 % faster (docs/performance-history.md, "Larger
    /// GET chunks"); the pipe serves a request above its 16 KiB blocks from the shared ArrayPool.
    /// </summary>
    private const int ChunkSize = 1024 * 1024;

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
    /// response pipe's own buffers (<see cref="ChunkSize"/> at a time): a <see cref="Stream.CopyToAsync(Stream)"/> reads
    /// into a buffer of its own and the response stream copies that again into the pipe.
    /// </summary>
    public static async Task StreamAsync(RequestContext context, Stream body, long length)
    {
        var writer = context.Response.BodyWriter;
        var left = length;
        while (left > 0)
        {
            // No more than is left, so a small body does not rent a whole chunk.
            var wanted = (int)Math.Min(ChunkSize, left);
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
