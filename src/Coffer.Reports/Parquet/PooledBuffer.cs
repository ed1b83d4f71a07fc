using System.Buffers;

namespace Coffer.Reports.Parquet;

/// <summary>A growable byte buffer on arrays rented from the shared pool; pages and metadata are built in these.</summary>
internal sealed class PooledBuffer : IDisposable
{
    private byte[] _array;

    public PooledBuffer(int capacity)
    {
        _array = ArrayPool<byte>.Shared.Rent(capacity);
    }

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _array.AsSpan(0, Length);

    /// <summary>Room for at least <paramref name="size"/> bytes after what is written; commit them with <see cref="Advance"/>.</summary>
    public Span<byte> Reserve(int size)
    {
        if (Length + size > _array.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, Length + size));
            _array.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_array);
            _array = bigger;
        }

        return _array.AsSpan(Length);
    }

    public void Advance(int count) => Length += count;

    public void Write(byte value)
    {
        Reserve(1)[0] = value;
        Length++;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Length += bytes.Length;
    }

    public void Clear() => Length = 0;

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_array);
        _array = [];
        Length = 0;
    }
}
