using Coffer.Common;

namespace Coffer.Server.Handlers;

internal static class Bodies
{
    /// <summary>Reads a small request body whole (it is hashed and parsed), refusing one over <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]> ReadBoundedAsync(Stream body, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new CofferException(ErrorCode.XmlSizeLimit, $"The request body may be at most {maxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
