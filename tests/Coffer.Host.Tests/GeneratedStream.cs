namespace Coffer.Host.Tests;

/// <summary>
/// A read-only stream of <paramref name="length"/> pseudo-random bytes produced on the fly, so a test can upload
/// gigabytes without holding them. <see cref="Produced"/> counts bytes handed out so far.
/// </summary>
public sealed class GeneratedStream(long length, int seed = 1) : Stream
{
    private readonly Random _random = new(seed);
    private long _position;

    public long Produced => Interlocked.Read(ref _position);

    /// <summary>Called before each read with the number of bytes produced so far; may delay to throttle.</summary>
    public Func<long, Task>? BeforeRead { get; init; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        _random.NextBytes(buffer[..count]);
        Interlocked.Add(ref _position, count);
        return count;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (BeforeRead is not null)
        {
            await BeforeRead(Produced);
        }

        return Read(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
