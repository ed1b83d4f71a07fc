using System.Buffers;
using System.IO.Compression;

namespace Coffer.Reports.Orc;

/// <summary>A compressed chunk as it goes into the file: the 3-byte header, then the deflated (or original) bytes.</summary>
internal readonly record struct CompressedChunk(byte[] Buffer, int Length)
{
    public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);
}

/// <summary>
/// ORC's ZLIB framing: each chunk of at most the block size is raw-deflated on its own behind a 3-byte little-endian
/// header holding <c>length * 2 + isOriginal</c>; a chunk that does not shrink is stored as it was. Chunks compress on
/// the thread pool while rows keep coming; a few may be in flight before the writer waits, so memory stays bounded.
/// </summary>
internal sealed class ChunkCompressor
{
    public const int HeaderSize = 3;

    /// <summary>The header's 23 bits of length, less the flag bit.</summary>
    public const int MaxBlockSize = (1 << 23) - 1;

    private const int MaxChunksInFlight = 4;

    private readonly Queue<Task> _inFlight = new();

    public ChunkCompressor(int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockSize, MaxBlockSize);
        BlockSize = blockSize;
    }

    public int BlockSize { get; }

    /// <summary>Compresses a chunk on the thread pool; the pooled <paramref name="buffer"/> is returned once read.</summary>
    public Task<CompressedChunk> CompressAsync(byte[] buffer, int length)
    {
        var task = Task.Run(() =>
        {
            try
            {
                return Compress(buffer.AsSpan(0, length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        });
        _inFlight.Enqueue(task);
        return task;
    }

    /// <summary>True when the writer should wait for compression to catch up before taking more rows.</summary>
    public bool IsBehind
    {
        get
        {
            while (_inFlight.TryPeek(out var oldest) && oldest.IsCompleted)
            {
                _inFlight.Dequeue();
            }

            return _inFlight.Count > MaxChunksInFlight;
        }
    }

    public async ValueTask CatchUpAsync()
    {
        while (IsBehind)
        {
            await _inFlight.Dequeue();
        }
    }

    /// <summary>Waits for every chunk in flight, whatever became of it: the part is being abandoned.</summary>
    public async Task DrainAsync()
    {
        while (_inFlight.TryDequeue(out var task))
        {
            try
            {
                await task;
            }
            catch (Exception)
            {
                // Nothing more can come of this part; the failure that matters surfaced where the part was written.
            }
        }
    }

    /// <summary>Frames a small section (a row index, a footer) here and now, chunk by chunk.</summary>
    public List<CompressedChunk> CompressAll(ReadOnlySpan<byte> bytes)
    {
        var chunks = new List<CompressedChunk>();
        for (var start = 0; start < bytes.Length; start += BlockSize)
        {
            chunks.Add(Compress(bytes.Slice(start, Math.Min(BlockSize, bytes.Length - start))));
        }

        return chunks;
    }

    /// <summary>
    /// Frames one chunk; the result's buffer comes from the shared pool, sized to the compressed length: a stripe holds
    /// its chunks until it is written, and should hold no more than their bytes.
    /// </summary>
    public static CompressedChunk Compress(ReadOnlySpan<byte> input)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(input.Length);
        try
        {
            var deflated = new BoundedBuffer(scratch, 0, input.Length - 1);
            using (var deflate = new DeflateStream(deflated, CompressionLevel.Fastest, leaveOpen: true))
            {
                deflate.Write(input);
            }

            var isOriginal = deflated.Overflowed;
            var stored = isOriginal ? input : scratch.AsSpan(0, deflated.Written);
            var output = ArrayPool<byte>.Shared.Rent(HeaderSize + stored.Length);
            var header = (stored.Length << 1) | (isOriginal ? 1 : 0);
            output[0] = (byte)header;
            output[1] = (byte)(header >> 8);
            output[2] = (byte)(header >> 16);
            stored.CopyTo(output.AsSpan(HeaderSize));
            return new CompressedChunk(output, HeaderSize + stored.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Takes deflate's output into a fixed slice and notes when it does not fit: then the chunk did not shrink, and
    /// the original is stored instead.
    /// </summary>
    private sealed class BoundedBuffer(byte[] buffer, int start, int capacity) : Stream
    {
        public int Written { get; private set; }

        public bool Overflowed { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Written;

        public override long Position
        {
            get => Written;
            set => throw new NotSupportedException();
        }

        public override void Write(ReadOnlySpan<byte> bytes)
        {
            if (Overflowed || Written + bytes.Length > capacity)
            {
                Overflowed = true;
                return;
            }

            bytes.CopyTo(buffer.AsSpan(start + Written));
            Written += bytes.Length;
        }

        public override void Write(byte[] bytes, int offset, int count) => Write(bytes.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] bytes, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
