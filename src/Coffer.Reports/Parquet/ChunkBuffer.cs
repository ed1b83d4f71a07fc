using System.Buffers;

namespace Coffer.Reports.Parquet;

/// <summary>
/// A column chunk's finished pages (headers and compressed bodies) until its row group goes out. Bytes are kept in
/// fixed-size pooled blocks, so memory follows what the compressed pages take, without doubling or copying as it grows.
/// </summary>
internal sealed class ChunkBuffer : IDisposable
{
    private const int BlockSize = 128 << 10;

    private readonly List<byte[]> _dictionaryBlocks = [];
    private readonly List<byte[]> _dataBlocks = [];
    private int _dictionaryUsed = BlockSize;
    private int _dataUsed = BlockSize;

    public long DictionaryBytes { get; private set; }

    public long DataBytes { get; private set; }

    public long ValueCount { get; set; }

    public long UncompressedBytes { get; set; }

    public int PlainPages { get; set; }

    public int DictionaryEncodedPages { get; set; }

    public void AppendDictionary(ReadOnlySpan<byte> bytes)
    {
        Append(_dictionaryBlocks, ref _dictionaryUsed, bytes);
        DictionaryBytes += bytes.Length;
    }

    public void AppendData(ReadOnlySpan<byte> bytes)
    {
        Append(_dataBlocks, ref _dataUsed, bytes);
        DataBytes += bytes.Length;
    }

    /// <summary>Writes the dictionary page, then the data pages.</summary>
    public async ValueTask CopyToAsync(Stream output)
    {
        await CopyAsync(_dictionaryBlocks, DictionaryBytes, output);
        await CopyAsync(_dataBlocks, DataBytes, output);
    }

    /// <summary>Empties the buffer for the next row group's chunk.</summary>
    public void Clear()
    {
        Release(_dictionaryBlocks);
        Release(_dataBlocks);
        (_dictionaryUsed, _dataUsed) = (BlockSize, BlockSize);
        (DictionaryBytes, DataBytes, ValueCount, UncompressedBytes, PlainPages, DictionaryEncodedPages) = (0, 0, 0, 0, 0, 0);
    }

    public void Dispose() => Clear();

    private static void Append(List<byte[]> blocks, ref int used, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (used == BlockSize)
            {
                blocks.Add(ArrayPool<byte>.Shared.Rent(BlockSize));
                used = 0;
            }

            var take = Math.Min(bytes.Length, BlockSize - used);
            bytes[..take].CopyTo(blocks[^1].AsSpan(used));
            used += take;
            bytes = bytes[take..];
        }
    }

    private static async ValueTask CopyAsync(List<byte[]> blocks, long length, Stream output)
    {
        foreach (var block in blocks)
        {
            var take = (int)Math.Min(BlockSize, length);
            await output.WriteAsync(block.AsMemory(0, take));
            length -= take;
        }
    }

    private static void Release(List<byte[]> blocks)
    {
        foreach (var block in blocks)
        {
            ArrayPool<byte>.Shared.Return(block);
        }

        blocks.Clear();
    }
}
