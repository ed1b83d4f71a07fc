using Microsoft.Win32.SafeHandles;

namespace Coffer.Storage.Encryption;

/// <summary>Where the bytes of an encrypted blob are read from: its file, or the inline copy the metadata store holds.</summary>
internal abstract class SealedSource : IDisposable
{
    public abstract long Length { get; }

    public static SealedSource Of(SafeFileHandle file) => new FileSource(file);

    public static SealedSource Of(byte[] bytes) => new MemorySource(bytes);

    /// <summary>Reads from <paramref name="offset"/> into <paramref name="buffer"/>; fewer bytes only at the end.</summary>
    public abstract int Read(Span<byte> buffer, long offset);

    public abstract ValueTask<int> ReadAsync(Memory<byte> buffer, long offset, CancellationToken cancellationToken);

    public abstract void Dispose();

    private sealed class FileSource(SafeFileHandle file) : SealedSource
    {
        public override long Length => RandomAccess.GetLength(file);

        public override int Read(Span<byte> buffer, long offset) => RandomAccess.Read(file, buffer, offset);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, long offset, CancellationToken cancellationToken) =>
            RandomAccess.ReadAsync(file, buffer, offset, cancellationToken);

        public override void Dispose() => file.Dispose();
    }

    private sealed class MemorySource(byte[] bytes) : SealedSource
    {
        public override long Length => bytes.Length;

        public override int Read(Span<byte> buffer, long offset)
        {
            var count = (int)Math.Clamp(bytes.Length - offset, 0, buffer.Length);
            bytes.AsSpan((int)Math.Min(offset, bytes.Length), count).CopyTo(buffer);
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, long offset, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Read(buffer.Span, offset));

        public override void Dispose()
        {
            // Nothing to release: the bytes are an array the metadata store handed over.
        }
    }
}
