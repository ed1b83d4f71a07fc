namespace Coffer.Storage.Sqlite;

/// <summary>The keys of up to a chunk of stepped rows, copied out of SQLite into one buffer.</summary>
internal sealed class KeyChunk(int rows)
{
    private readonly int[] _ends = new int[rows];
    private byte[] _bytes = new byte[rows * 64];

    public int Count { get; private set; }

    public ReadOnlySpan<byte> this[int index] => _bytes.AsSpan(index == 0 ? 0 : _ends[index - 1], _ends[index] - (index == 0 ? 0 : _ends[index - 1]));

    public void Add(ReadOnlySpan<byte> key)
    {
        var start = Count == 0 ? 0 : _ends[Count - 1];
        if (start + key.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(2 * _bytes.Length, start + key.Length));
        }

        key.CopyTo(_bytes.AsSpan(start));
        _ends[Count++] = start + key.Length;
    }

    public void Clear() => Count = 0;

    /// <summary>
    /// How many leading keys come strictly before <paramref name="bound"/> in the chunk's order (descending or not), in
    /// SQLite's BINARY order; all of them when there is no bound.
    /// </summary>
    public int CountBefore(byte[]? bound, bool descending)
    {
        if (bound is null || Count == 0 || Before(this[Count - 1], bound, descending))
        {
            return Count;
        }

        var count = 0;
        while (Before(this[count], bound, descending))
        {
            count++;
        }

        return count;
    }

    private static bool Before(ReadOnlySpan<byte> key, ReadOnlySpan<byte> bound, bool descending) =>
        descending ? key.SequenceCompareTo(bound) > 0 : key.SequenceCompareTo(bound) < 0;
}
