using System.Runtime.InteropServices;

namespace Coffer.Reports;

/// <summary>
/// Numbers distinct UTF-8 values in the order they are first seen, looked up by span: a value already known costs a
/// hash and a comparison, and only a new one is copied into an array of its own.
/// </summary>
internal sealed class Utf8Dictionary
{
    private readonly Dictionary<byte[], int> _ids = new(Utf8Comparer.Instance);
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private readonly List<byte[]> _entries = [];

    public Utf8Dictionary() => _lookup = _ids.GetAlternateLookup<ReadOnlySpan<byte>>();

    public int Count => _entries.Count;

    /// <summary>The entries in the order they were added (entry <c>i</c> has id <c>i</c>).</summary>
    public IReadOnlyList<byte[]> Entries => _entries;

    /// <summary>The value's id, adding it when new; <paramref name="added"/> says which.</summary>
    public int GetOrAdd(ReadOnlySpan<byte> value, out bool added)
    {
        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookup, value, out var known);
        added = !known;
        if (added)
        {
            id = _entries.Count;

            // The array the comparer made for the new key: the entry shares it rather than copying the value twice.
            _lookup.TryGetValue(value, out var key, out _);
            _entries.Add(key!);
        }

        return id;
    }

    public void Clear()
    {
        _ids.Clear();
        _entries.Clear();
    }

    private sealed class Utf8Comparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly Utf8Comparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = default(HashCode);
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
