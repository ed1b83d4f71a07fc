using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

internal static class Bodies
{
    /// <summary>
    /// Reads a small request body whole (a document to parse), refusing one over <paramref name="maxBytes"/> with
    /// <paramref name="tooLarge"/>, and checks it against Content-MD5 when the request sends one.
    /// </summary>
    public static async Task<byte[]> ReadVerifiedAsync(RequestContext context, int maxBytes, ErrorCode tooLarge = ErrorCode.XmlSizeLimit)
    {
        var body = await ReadBoundedAsync(context.Body, maxBytes, tooLarge, context.Aborted);
        if (ObjectHeaders.ContentMd5(context) is { } md5 && !CryptographicOperations.FixedTimeEquals(md5, MD5.HashData(body)))
        {
            throw new CofferException(ErrorCode.BadDigest);
        }

        return body;
    }

    /// <summary>Reads a small request body whole (it is hashed and parsed), refusing one over <paramref name="maxBytes"/>.</summary>
    private static async Task<byte[]> ReadBoundedAsync(Stream body, int maxBytes, ErrorCode tooLarge, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new CofferException(tooLarge, $"The request body may be at most {maxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
