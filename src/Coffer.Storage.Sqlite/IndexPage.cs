using System.Buffers.Binary;

namespace Coffer.Storage.Sqlite;

/// <summary>A (bucket, key) position in <c>object_versions</c>' primary key, the key as its UTF-8 bytes.</summary>
internal readonly record struct KeyPosition(long Bucket, byte[] Key)
{
    /// <summary>Compares as the index does: bucket, then the key's bytes (BINARY collation).</summary>
    public int CompareTo(KeyPosition other) =>
        Bucket != other.Bucket ? Bucket.CompareTo(other.Bucket) : Key.AsSpan().SequenceCompareTo(other.Key);
}

/// <summary>
/// One page of an index b-tree (a <c>WITHOUT ROWID</c> table is one) parsed as fileformat2 lays it out: its kind, and
/// for each cell its left child (interior pages) and the first two fields of its record, decoded as (integer, text). A
/// cell whose record is too large to be held on the page, or whose first fields are of other types, has no position.
/// Every offset is checked against the page; anything out of place makes the page implausible.
/// </summary>
internal sealed class IndexPage
{
    public const byte InteriorType = 0x02;
    public const byte LeafType = 0x0A;

    private IndexPage(bool isLeaf, uint[] children, KeyPosition?[] positions)
    {
        IsLeaf = isLeaf;
        Children = children;
        Positions = positions;
    }

    public bool IsLeaf { get; }

    /// <summary>An interior page's children in key order: each cell's left child, then the right-most one (none for a leaf).</summary>
    public uint[] Children { get; }

    /// <summary>Each cell's (bucket, key), or null for a cell that does not give one.</summary>
    public KeyPosition?[] Positions { get; }

    /// <summary>
    /// The page in <paramref name="page"/> (page number <paramref name="number"/>: page 1 starts after the file header) of
    /// a database whose pages use <paramref name="usable"/> bytes; null when it is not an index b-tree page that parses.
    /// </summary>
    public static IndexPage? Parse(ReadOnlySpan<byte> page, uint number, int usable)
    {
        var start = number == 1 ? 100 : 0;
        if (page.Length < usable || start + 12 > usable)
        {
            return null;
        }

        var type = page[start];
        if (type is not InteriorType and not LeafType)
        {
            return null;
        }

        var isLeaf = type == LeafType;
        var headerBytes = isLeaf ? 8 : 12;
        var cells = BinaryPrimitives.ReadUInt16BigEndian(page[(start + 3)..]);
        var pointers = start + headerBytes;
        if (pointers + 2 * cells > usable)
        {
            return null;
        }

        var children = new uint[isLeaf ? 0 : cells + 1];
        var positions = new KeyPosition?[cells];
        for (var i = 0; i < cells; i++)
        {
            int at = BinaryPrimitives.ReadUInt16BigEndian(page[(pointers + 2 * i)..]);
            if (at < pointers + 2 * cells || at >= usable)
            {
                return null;
            }

            if (!isLeaf)
            {
                if (at + 4 > usable)
                {
                    return null;
                }

                children[i] = BinaryPrimitives.ReadUInt32BigEndian(page[at..]);
                at += 4;
            }

            if (!Cell(page[..usable], at, usable, out positions[i]))
            {
                return null;
            }
        }

        if (!isLeaf)
        {
            children[cells] = BinaryPrimitives.ReadUInt32BigEndian(page[(start + 8)..]);
            if (children.Any(c => c == 0))
            {
                return null;
            }
        }

        return new IndexPage(isLeaf, children, positions);
    }

    /// <summary>
    /// The payload of the cell at <paramref name="at"/>: false when it runs off the page; a position when the record is all
    /// on the page and starts with (integer, text).
    /// </summary>
    private static bool Cell(ReadOnlySpan<byte> page, int at, int usable, out KeyPosition? position)
    {
        position = null;
        if (!Varint.TryRead(page, ref at, out var payload) || payload < 0)
        {
            return false;
        }

        // Payloads past this size spill onto overflow pages (fileformat2, "Cell Payload Overflow Pages", index b-trees).
        var maxLocal = ((usable - 12) * 64 / 255) - 23;
        if (payload > maxLocal)
        {
            return at < page.Length;
        }

        if (at + payload > page.Length)
        {
            return false;
        }

        position = Record(page.Slice(at, (int)payload));
        return true;
    }

    /// <summary>The first two fields of a record as (integer, text), or null when they are not.</summary>
    internal static KeyPosition? Record(ReadOnlySpan<byte> record)
    {
        var at = 0;
        if (!Varint.TryRead(record, ref at, out var headerSize) || headerSize > record.Length || headerSize < at)
        {
            return null;
        }

        var header = record[..(int)headerSize];
        if (!Varint.TryRead(header, ref at, out var bucketType) || !Varint.TryRead(header, ref at, out var keyType))
        {
            return null;
        }

        var body = (int)headerSize;
        var bucketBytes = bucketType switch
        {
            1 => 1,
            2 => 2,
            3 => 3,
            4 => 4,
            5 => 6,
            6 => 8,
            8 or 9 => 0,
            _ => -1,
        };
        if (bucketBytes < 0 || keyType < 13 || keyType % 2 == 0)
        {
            return null;
        }

        var keyBytes = (keyType - 13) / 2;
        if (body + bucketBytes + keyBytes > record.Length)
        {
            return null;
        }

        long bucket = bucketType switch
        {
            8 => 0,
            9 => 1,
            _ => BigEndianSigned(record.Slice(body, bucketBytes)),
        };
        return new KeyPosition(bucket, record.Slice(body + bucketBytes, (int)keyBytes).ToArray());
    }

    private static long BigEndianSigned(ReadOnlySpan<byte> bytes)
    {
        long value = (sbyte)bytes[0];
        for (var i = 1; i < bytes.Length; i++)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }
}

/// <summary>SQLite's variable-length integers: one to nine bytes, big-endian, seven bits a byte, eight in the ninth.</summary>
internal static class Varint
{
    public static bool TryRead(ReadOnlySpan<byte> data, ref int at, out long value)
    {
        value = 0;
        for (var i = 0; i < 9; i++)
        {
            if (at >= data.Length)
            {
                return false;
            }

            var b = data[at++];
            if (i == 8)
            {
                value = (value << 8) | b;
                return true;
            }

            value = (value << 7) | (long)(b & 0x7F);
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return true;
    }
}
