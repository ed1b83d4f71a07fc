namespace Coffer.Storage.Sqlite;

/// <summary>
/// Every k-th key of a run of rows, k doubling whenever 2 × the wanted keys are kept: one pass, memory bounded by the
/// sample, keys evenly spaced in rows.
/// </summary>
internal sealed class StrideSample(int maxKeys)
{
    private readonly int _limit = 2 * Math.Max(1, maxKeys);

    /// <summary>The keys kept, the first row's and then one every <see cref="Stride"/> rows.</summary>
    public List<string> Keys { get; } = [];

    public long Rows { get; private set; }

    public long Stride { get; private set; } = 1;

    /// <summary>Counts a row; true when its key is to be kept (<see cref="Keep"/>).</summary>
    public bool Next() => Rows++ % Stride == 0;

    public void Keep(string key)
    {
        Keys.Add(key);
        if (Keys.Count >= _limit)
        {
            Halve();
        }
    }

    /// <summary>Keeps the keys at even places: those a stride twice as long would have kept.</summary>
    public void Halve()
    {
        var kept = (Keys.Count + 1) / 2;
        for (var i = 0; i < kept; i++)
        {
            Keys[i] = Keys[2 * i];
        }

        Keys.RemoveRange(kept, Keys.Count - kept);
        Stride *= 2;
    }
}
