using System.Buffers;

namespace Coffer.Reports.Orc;

/// <summary>The ORC stream kinds this writer produces (orc_proto.proto, Stream.Kind).</summary>
internal enum OrcStreamKind
{
    Present = 0,
    Data = 1,
    Length = 2,
    DictionaryData = 3,
    Secondary = 5,
    RowIndex = 6,
}

/// <summary>
/// One stream of a stripe (or one section of the file tail). Bytes are cut into chunks of the compression block
/// size; each full chunk is handed to the compressor at once, so a stripe holds its streams compressed. Positions are
/// taken as uncompressed offsets and located in the compressed stream once every chunk's size is known.
/// </summary>
internal sealed class OrcStream(OrcStreamKind kind, int column, ChunkCompressor compressor)
{
    private const int InitialBufferSize = 4096;

    private readonly List<Task<CompressedChunk>> _pending = [];
    private readonly List<CompressedChunk> _chunks = [];
    private readonly List<long> _chunkStarts = [];
    private byte[]? _buffer;
    private int _length;
    private long _flushed;

    public OrcStreamKind Kind => kind;

    public int Column => column;

    /// <summary>Uncompressed bytes written so far.</summary>
    public long Position => _flushed + _length;

    /// <summary>The compressed length, once <see cref="CompleteAsync"/> has run.</summary>
    public long CompressedLength { get; private set; }

    public IReadOnlyList<CompressedChunk> Chunks => _chunks;

    public void WriteByte(byte value)
    {
        if (_buffer is null || _length == _buffer.Length)
        {
            Grow(1);
        }

        _buffer![_length++] = value;
        if (_length == compressor.BlockSize)
        {
            SubmitChunk();
        }
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var take = Math.Min(bytes.Length, compressor.BlockSize - _length);
            if (_buffer is null || _length + take > _buffer.Length)
            {
                Grow(take);
            }

            bytes[..take].CopyTo(_buffer.AsSpan(_length));
            _length += take;
            bytes = bytes[take..];
            if (_length == compressor.BlockSize)
            {
                SubmitChunk();
            }
        }
    }

    /// <summary>Hands the last partial chunk to the compressor; call once nothing more will be written.</summary>
    public void Seal()
    {
        if (_length > 0)
        {
            SubmitChunk();
        }
    }

    /// <summary>Waits for every chunk; afterwards <see cref="Chunks"/> and <see cref="CompressedLength"/> are known.</summary>
    public async Task CompleteAsync()
    {
        Seal();
        foreach (var task in _pending)
        {
            var chunk = await task;
            _chunkStarts.Add(CompressedLength);
            _chunks.Add(chunk);
            CompressedLength += chunk.Length;
        }

        _pending.Clear();
    }

    /// <summary>
    /// Where an uncompressed offset lies once compressed, as row indexes record it: the start of its chunk in the
    /// compressed stream, then the bytes to skip in that chunk once decompressed.
    /// </summary>
    public (ulong ChunkStart, ulong Skip) Locate(long position)
    {
        var chunk = (int)(position / compressor.BlockSize);
        var start = chunk < _chunkStarts.Count ? _chunkStarts[chunk] : CompressedLength;
        return ((ulong)start, (ulong)(position - ((long)chunk * compressor.BlockSize)));
    }

    /// <summary>Empties the stream for the next stripe, returning its buffers to the pool.</summary>
    public void Reset()
    {
        foreach (var chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk.Buffer);
        }

        _chunks.Clear();
        _chunkStarts.Clear();
        _pending.Clear();
        _flushed = 0;
        CompressedLength = 0;
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _length = 0;
    }

    /// <summary>Makes room for <paramref name="bytes"/> more in the current chunk, doubling up to the block size.</summary>
    private void Grow(int bytes)
    {
        var size = Math.Min(compressor.BlockSize, Math.Max(Math.Max(InitialBufferSize, (_buffer?.Length ?? 0) * 2), _length + bytes));
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = bigger;
    }

    private void SubmitChunk()
    {
        _pending.Add(compressor.CompressAsync(_buffer!, _length));
        _flushed += _length;
        _buffer = null;
        _length = 0;
    }
}
