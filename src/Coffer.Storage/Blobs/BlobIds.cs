namespace Coffer.Storage.Blobs;

/// <summary>
/// New blob ids: 32 lowercase hex digits laid out as a version-7 UUID (milliseconds first, so a process's ids sort by
/// time and the inline table grows at its end), as <see cref="Guid.CreateVersion7()"/> makes them, but with their 74
/// random bits from <see cref="Random.Shared"/> rather than the operating system's generator, a system call per PUT.
/// An id must be unique, never secret (it names a file or a row and is not shown to clients), and 74 bits drawn per
/// millisecond from a generator seeded per thread by the operating system are.
/// </summary>
internal static class BlobIds
{
    public static string New(DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes[6..]);
        var milliseconds = now.ToUnixTimeMilliseconds();
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)milliseconds;
            milliseconds >>= 8;
        }

        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true).ToString("N");
    }
}
