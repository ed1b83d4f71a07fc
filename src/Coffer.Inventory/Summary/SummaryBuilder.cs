using System.Text;
using Coffer.Model.Objects;

namespace Coffer.Inventory.Summary;

/// <summary>
/// Adds up a report's rows as they are written, in memory that does not grow with the report: fixed histogram buckets,
/// at most <see cref="MaxTopPrefixes"/> top-level prefixes with <see cref="MaxChildPrefixes"/> children each (later
/// ones are folded into <see cref="OtherPrefixes"/>), and the <see cref="LargestCount"/> largest objects.
/// </summary>
public sealed class SummaryBuilder(DateTimeOffset scanStart)
{
    public const int MaxTopPrefixes = 200;
    public const int MaxChildPrefixes = 50;
    public const int LargestCount = 20;

    /// <summary>Where prefixes beyond the caps are counted.</summary>
    public const string OtherPrefixes = "(other prefixes)";

    /// <summary>The name of the keys with no delimiter, at the top level or below a prefix.</summary>
    public const string NoPrefix = "";

    /// <summary>Lower bounds of the size buckets, in bytes.</summary>
    public static readonly long[] SizeBounds = [0, 1, 1L << 10, 64L << 10, 1L << 20, 16L << 20, 128L << 20, 1L << 30];

    /// <summary>Lower bounds of the age buckets (from the scan's start to LastModified), in days.</summary>
    public static readonly long[] AgeBounds = [0, 1, 7, 30, 90, 365];

    private static readonly string[] SizeNames = ["0 B", "1 B-1 KiB", "1-64 KiB", "64 KiB-1 MiB", "1-16 MiB", "16-128 MiB", "128 MiB-1 GiB", ">= 1 GiB"];
    private static readonly string[] AgeNames = ["< 1 day", "1-7 days", "7-30 days", "30-90 days", "90-365 days", ">= 1 year"];

    private readonly Dictionary<string, Counter> _classes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PrefixCounter> _prefixes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Counter> _encryption = new(StringComparer.Ordinal);
    private readonly Counter[] _sizes = NewCounters(SizeBounds.Length);
    private readonly Counter[] _ages = NewCounters(AgeBounds.Length);
    private readonly PriorityQueue<LargeObject, (long Size, string Key)> _largest = new(Comparer<(long Size, string Key)>.Create(Compare));
    private readonly Counter _multipart = new();
    private long _rows, _objects, _bytes, _deleteMarkers;
    private bool _capped;

    // The slice and prefix the previous row was counted in: rows come in key order and mostly share them, and the
    // storage classes and encryption statuses are shared instances, so most rows skip the dictionary lookups.
    private (string? Name, Counter? Counter) _lastClass, _lastEncryption;
    private (string? Name, PrefixCounter? Counter) _lastTop;
    private readonly LastPrefix _lastTopUtf8 = new(), _lastChildUtf8 = new();

    /// <summary>The scan's start in 100 ns ticks since 1970, as rows read in place give their times.</summary>
    private readonly long _scanStartUnixTicks = scanStart.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    /// <summary>Counts one row of the report.</summary>
    public void Add(ObjectInfo row)
    {
        _rows++;
        if (row.IsDeleteMarker)
        {
            _deleteMarkers++;
            return;
        }

        AddObject(row.Size, row.StorageClass, EncryptionStatus(row.Encryption), (scanStart - row.LastModified).Ticks, row.IsMultipartUploaded);
        AddPrefix(row.Key, row.Size);
        AddLargest(row);
    }

    /// <summary>Counts one row of the report read in place: its key is looked at as UTF-8, and made a string only for the largest objects.</summary>
    public void Add(in SummaryRow row)
    {
        _rows++;
        if (row.IsDeleteMarker)
        {
            _deleteMarkers++;
            return;
        }

        AddObject(row.Size, row.StorageClass, row.EncryptionStatus, _scanStartUnixTicks - (row.LastModifiedMilliseconds * TimeSpan.TicksPerMillisecond),
            row.IsMultipartUploaded);
        AddPrefix(row.Key, row.Size);
        if (_largest.Count < LargestCount || (_largest.TryPeek(out _, out var smallest) && row.Size >= smallest.Size))
        {
            AddLargest(new LargeObject(Encoding.UTF8.GetString(row.Key), Encoding.UTF8.GetString(row.VersionId), row.Size,
                DateTimeOffset.FromUnixTimeMilliseconds(row.LastModifiedMilliseconds), row.StorageClass));
        }
    }

    /// <summary>
    /// Adds a summary of other rows of the same report (a partition's, or what a resumed partition had written): totals,
    /// slices and histograms add up, the largest objects compete, prefixes merge under the same caps.
    /// </summary>
    public void Add(ReportSummary summary)
    {
        _rows += summary.Rows;
        _objects += summary.Objects;
        _bytes += summary.Bytes;
        _deleteMarkers += summary.DeleteMarkers;
        _capped |= summary.PrefixesCapped;
        AddSlices(_classes, summary.StorageClasses);
        AddSlices(_encryption, summary.Encryption);
        for (var i = 0; i < _sizes.Length && i < summary.Sizes.Count; i++)
        {
            _sizes[i].Add(summary.Sizes[i].Objects, summary.Sizes[i].Bytes);
        }

        for (var i = 0; i < _ages.Length && i < summary.Ages.Count; i++)
        {
            _ages[i].Add(summary.Ages[i].Objects, summary.Ages[i].Bytes);
        }

        _multipart.Add(summary.Multipart.Objects, summary.Multipart.Bytes);
        foreach (var large in summary.Largest)
        {
            AddLargest(large);
        }

        foreach (var top in summary.Prefixes)
        {
            var name = _prefixes.ContainsKey(top.Name) || _prefixes.Count < MaxTopPrefixes ? top.Name : OtherPrefixes;
            _capped |= name != top.Name;
            if (!_prefixes.TryGetValue(name, out var prefix))
            {
                _prefixes[name] = prefix = new PrefixCounter(name == NoPrefix || name == OtherPrefixes);
            }

            prefix.Add(top.Objects, top.Bytes);
            if (prefix.IsLeaf)
            {
                continue;
            }

            foreach (var child in top.Children)
            {
                var childName = prefix.Children.ContainsKey(child.Name) || prefix.Children.Count < MaxChildPrefixes ? child.Name : OtherPrefixes;
                _capped |= childName != child.Name;
                if (!prefix.Children.TryGetValue(childName, out var counter))
                {
                    prefix.Children[childName] = counter = new Counter();
                }

                counter.Add(child.Objects, child.Bytes);
            }
        }
    }

    public ReportSummary Build() => new()
    {
        ScanStart = scanStart,
        Rows = _rows,
        Objects = _objects,
        Bytes = _bytes,
        DeleteMarkers = _deleteMarkers,
        StorageClasses = Slices(_classes),
        Prefixes = [.. _prefixes.OrderByDescending(p => p.Value.Bytes).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new PrefixTotal(p.Key, p.Value.Objects, p.Value.Bytes, Slices(p.Value.Children)))],
        PrefixesCapped = _capped,
        Sizes = [.. _sizes.Select((c, i) => new SliceTotal(SizeNames[i], c.Objects, c.Bytes))],
        Ages = [.. _ages.Select((c, i) => new SliceTotal(AgeNames[i], c.Objects, c.Bytes))],
        Largest = [.. _largest.UnorderedItems.Select(i => i.Element).OrderByDescending(o => o.Size).ThenBy(o => o.Key, StringComparer.Ordinal)],
        Multipart = new SliceTotal("multipart", _multipart.Objects, _multipart.Bytes),
        Encryption = Slices(_encryption),
    };

    /// <summary>The EncryptionStatus an S3 report gives the object.</summary>
    public static string EncryptionStatus(string? encryption) => encryption switch
    {
        null => "NOT-SSE",
        "aws:kms" => "SSE-KMS",
        "SSE-C" => "SSE-C",
        _ => "SSE-S3",
    };

    /// <summary>Counts an object <paramref name="ageTicks"/> old at the scan's start (negative when modified after it).</summary>
    private void AddObject(long size, string storageClass, string encryptionStatus, long ageTicks, bool multipart)
    {
        _objects++;
        _bytes += size;
        Count(_classes, ref _lastClass, storageClass, size);
        Count(_encryption, ref _lastEncryption, encryptionStatus, size);
        _sizes[Bucket(SizeBounds, size)].Add(size);
        // Whole days, rounded down; any time after the scan's start is in the first bucket.
        _ages[Bucket(AgeBounds, ageTicks < 0 ? -1 : ageTicks / TimeSpan.TicksPerDay)].Add(size);
        if (multipart)
        {
            _multipart.Add(size);
        }
    }

    private void AddPrefix(ReadOnlySpan<char> key, long size)
    {
        // Looked up by span: a row allocates no prefix string unless its prefix is new.
        var top = PrefixSpan(key, 0);
        if (_lastTop.Counter is not { } prefix || !top.SequenceEqual(_lastTop.Name))
        {
            prefix = TopCounter(top);

            // Remembered by the row's own prefix (not the folded name it may be counted under).
            _lastTop = (top.ToString(), prefix);
        }

        prefix.Add(size);
        if (!prefix.IsLeaf)
        {
            ChildCounter(prefix, PrefixSpan(key, top.Length)).Add(size);
        }
    }

    /// <summary>
    /// <see cref="AddPrefix(ReadOnlySpan{char}, long)"/> for a key in UTF-8. Keys come in order, so a row's prefix and
    /// child prefix are mostly the previous row's: they are compared as bytes with those, and only a new one is turned
    /// into text to be looked up. A <c>/</c> byte is never part of a longer UTF-8 sequence, so a prefix of the bytes up to
    /// a delimiter is the same text as the prefix of the key's text.
    /// </summary>
    private void AddPrefix(ReadOnlySpan<byte> key, long size)
    {
        var top = PrefixSpan(key, 0);
        if (_lastTopUtf8.Counter is not PrefixCounter prefix || !_lastTopUtf8.Is(top))
        {
            prefix = TopCounter(Text(top, stackalloc char[256]));
            _lastTopUtf8.Remember(top, prefix);

            // A child prefix holds its top-level one, except the empty child of a key with no second delimiter: that one
            // would match the last top's, so a new top starts with no child remembered.
            _lastChildUtf8.Forget();
        }

        prefix.Add(size);
        if (prefix.IsLeaf)
        {
            return;
        }

        var child = PrefixSpan(key, top.Length);
        if (_lastChildUtf8.Counter is not { } counter || !_lastChildUtf8.Is(child))
        {
            counter = ChildCounter(prefix, Text(child, stackalloc char[256]));
            _lastChildUtf8.Remember(child, counter);
        }

        counter.Add(size);
    }

    /// <summary>The counter of top-level prefix <paramref name="top"/>, made (or folded into the rest) when it is new.</summary>
    private PrefixCounter TopCounter(ReadOnlySpan<char> top)
    {
        if (!_prefixes.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(top, out var prefix))
        {
            var name = _prefixes.Count >= MaxTopPrefixes ? OtherPrefixes : top.ToString();
            _capped |= name == OtherPrefixes;
            if (!_prefixes.TryGetValue(name, out prefix))
            {
                _prefixes[name] = prefix = new PrefixCounter(name == NoPrefix || name == OtherPrefixes);
            }
        }

        return prefix;
    }

    /// <summary>The counter of <paramref name="child"/> below <paramref name="prefix"/>, made (or folded into the rest) when it is new.</summary>
    private Counter ChildCounter(PrefixCounter prefix, ReadOnlySpan<char> child)
    {
        if (!prefix.Children.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(child, out var counter))
        {
            var name = prefix.Children.Count >= MaxChildPrefixes ? OtherPrefixes : child.ToString();
            _capped |= name == OtherPrefixes;
            if (!prefix.Children.TryGetValue(name, out counter))
            {
                prefix.Children[name] = counter = new Counter();
            }
        }

        return counter;
    }

    /// <summary>The prefix of <paramref name="key"/> up to and including its first delimiter at or after <paramref name="from"/>; empty when there is none.</summary>
    private static ReadOnlySpan<char> PrefixSpan(ReadOnlySpan<char> key, int from)
    {
        var slash = key[from..].IndexOf('/');
        return slash < 0 ? [] : key[..(from + slash + 1)];
    }

    /// <inheritdoc cref="PrefixSpan(ReadOnlySpan{char}, int)"/>
    private static ReadOnlySpan<byte> PrefixSpan(ReadOnlySpan<byte> key, int from)
    {
        var slash = key[from..].IndexOf((byte)'/');
        return slash < 0 ? [] : key[..(from + slash + 1)];
    }

    /// <summary><paramref name="utf8"/> as text, in <paramref name="buffer"/> when it fits.</summary>
    private static ReadOnlySpan<char> Text(ReadOnlySpan<byte> utf8, Span<char> buffer)
    {
        var chars = utf8.Length <= buffer.Length ? buffer : new char[utf8.Length];
        return chars[..Encoding.UTF8.GetChars(utf8, chars)];
    }

    private void AddLargest(ObjectInfo row)
    {
        // Smallest first; on equal sizes the key that sorts last goes first, so ties keep the keys that sort first.
        var priority = (row.Size, row.Key);
        if (_largest.Count < LargestCount)
        {
            _largest.Enqueue(Large(row), priority);
        }
        else if (_largest.TryPeek(out _, out var smallest) && Compare(priority, smallest) > 0)
        {
            _largest.DequeueEnqueue(Large(row), priority);
        }
    }

    private void AddLargest(LargeObject large)
    {
        var priority = (large.Size, large.Key);
        if (_largest.Count < LargestCount)
        {
            _largest.Enqueue(large, priority);
        }
        else if (_largest.TryPeek(out _, out var smallest) && Compare(priority, smallest) > 0)
        {
            _largest.DequeueEnqueue(large, priority);
        }
    }

    private static void AddSlices(Dictionary<string, Counter> counters, IEnumerable<SliceTotal> slices)
    {
        foreach (var slice in slices)
        {
            if (!counters.TryGetValue(slice.Name, out var counter))
            {
                counters[slice.Name] = counter = new Counter();
            }

            counter.Add(slice.Objects, slice.Bytes);
        }
    }

    private static LargeObject Large(ObjectInfo row) => new(row.Key, row.VersionId, row.Size, row.LastModified, row.StorageClass);

    private static int Compare((long Size, string Key) a, (long Size, string Key) b) =>
        a.Size != b.Size ? a.Size.CompareTo(b.Size) : string.CompareOrdinal(b.Key, a.Key);

    private static int Bucket(long[] bounds, long value)
    {
        var i = bounds.Length - 1;
        while (i > 0 && value < bounds[i])
        {
            i--;
        }

        return i;
    }

    private static void Count(Dictionary<string, Counter> counters, ref (string? Name, Counter? Counter) last, string name, long size)
    {
        if (!ReferenceEquals(name, last.Name) || last.Counter is not { } counter)
        {
            if (!counters.TryGetValue(name, out counter))
            {
                counters[name] = counter = new Counter();
            }

            last = (name, counter);
        }

        counter.Add(size);
    }

    private static SliceTotal[] Slices(Dictionary<string, Counter> counters) =>
        [.. counters.OrderByDescending(c => c.Value.Bytes).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => new SliceTotal(c.Key, c.Value.Objects, c.Value.Bytes))];

    private static Counter[] NewCounters(int count) => [.. Enumerable.Range(0, count).Select(_ => new Counter())];

    private class Counter
    {
        public long Objects { get; private set; }

        public long Bytes { get; private set; }

        public void Add(long size)
        {
            Objects++;
            Bytes += size;
        }

        public void Add(long objects, long bytes)
        {
            Objects += objects;
            Bytes += bytes;
        }
    }

    /// <summary>A prefix of the previous row read as UTF-8 and the counter it was counted in (a child prefix starts with its top-level one).</summary>
    private sealed class LastPrefix
    {
        private byte[] _bytes = new byte[64];
        private int _length;

        public Counter? Counter { get; private set; }

        public bool Is(ReadOnlySpan<byte> prefix) => prefix.SequenceEqual(_bytes.AsSpan(0, _length));

        public void Remember(ReadOnlySpan<byte> prefix, Counter counter)
        {
            if (prefix.Length > _bytes.Length)
            {
                _bytes = new byte[prefix.Length];
            }

            prefix.CopyTo(_bytes);
            _length = prefix.Length;
            Counter = counter;
        }

        public void Forget() => Counter = null;
    }

    /// <summary>A top-level prefix; <see cref="IsLeaf"/> for the keys without one and the folded rest, which have no children.</summary>
    private sealed class PrefixCounter(bool isLeaf) : Counter
    {
        public bool IsLeaf { get; } = isLeaf;

        public Dictionary<string, Counter> Children { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>
/// A row for <see cref="SummaryBuilder.Add(in SummaryRow)"/> as a scan that reads in place has it: key and version id as
/// UTF-8, the storage class and encryption status as the shared strings the summary names its slices by.
/// </summary>
public readonly ref struct SummaryRow
{
    public bool IsDeleteMarker { get; init; }

    public long Size { get; init; }

    public string StorageClass { get; init; }

    /// <summary>As <see cref="SummaryBuilder.EncryptionStatus"/> names it.</summary>
    public string EncryptionStatus { get; init; }

    /// <summary>Milliseconds since 1970 UTC, as the store holds them (a time is made only for the largest objects).</summary>
    public long LastModifiedMilliseconds { get; init; }

    public bool IsMultipartUploaded { get; init; }

    public ReadOnlySpan<byte> Key { get; init; }

    public ReadOnlySpan<byte> VersionId { get; init; }
}
