using System.Text;

namespace Coffer.Storage.Records;

/// <summary>
/// Binary encodings of the list-valued columns. Every encoding starts with a format byte so a later
/// format can be read beside this one without a migration.
/// </summary>
public static class RecordCodec
{
    private const byte PairsV1 = 1;
    private const byte LayoutV1 = 1;
    private const byte LayoutV2 = 2;
    private const byte InlineSegment = 1;
    private const byte BlobKeysV1 = 1;

    public static byte[]? EncodePairs(IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        if (pairs.Count == 0)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using var writer = new BinaryWriter(buffer, Encoding.UTF8);
        writer.Write(PairsV1);
        writer.Write7BitEncodedInt(pairs.Count);
        foreach (var (key, value) in pairs)
        {
            writer.Write(key);
            writer.Write(value);
        }

        writer.Flush();
        return buffer.ToArray();
    }

    public static IReadOnlyList<KeyValuePair<string, string>> DecodePairs(byte[]? data)
    {
        if (data is null || data.Length == 0)
        {
            return [];
        }

        using var reader = new BinaryReader(new MemoryStream(data), Encoding.UTF8);
        var format = reader.ReadByte();
        if (format != PairsV1)
        {
            throw new InvalidDataException($"Unknown metadata pair format {format}.");
        }

        var count = reader.Read7BitEncodedInt();
        var pairs = new KeyValuePair<string, string>[count];
        for (var i = 0; i < count; i++)
        {
            pairs[i] = new(reader.ReadString(), reader.ReadString());
        }

        return pairs;
    }

    public static byte[]? EncodeLayout(BlobLayout layout)
    {
        if (layout.Segments.Count == 0)
        {
            return null;
        }

        // Format 2 adds a flags byte per segment (inline or not); a layout of files alone keeps format 1.
        var flagged = layout.HasInline;
        using var buffer = new MemoryStream();
        using var writer = new BinaryWriter(buffer, Encoding.UTF8);
        writer.Write(flagged ? LayoutV2 : LayoutV1);
        writer.Write7BitEncodedInt(layout.Segments.Count);
        foreach (var segment in layout.Segments)
        {
            writer.Write(segment.BlobId);
            writer.Write7BitEncodedInt64(segment.Length);
            if (flagged)
            {
                writer.Write(segment.Inline ? InlineSegment : (byte)0);
            }
        }

        writer.Flush();
        return buffer.ToArray();
    }

    /// <summary>The wrapped data keys of a layout's segments, in segment order; null when no segment is encrypted.</summary>
    public static byte[]? EncodeBlobKeys(BlobLayout layout)
    {
        if (layout.Segments.All(s => s.WrappedKey is null))
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using var writer = new BinaryWriter(buffer, Encoding.UTF8);
        writer.Write(BlobKeysV1);
        writer.Write7BitEncodedInt(layout.Segments.Count);
        foreach (var segment in layout.Segments)
        {
            var key = segment.WrappedKey ?? [];
            writer.Write7BitEncodedInt(key.Length);
            writer.Write(key);
        }

        writer.Flush();
        return buffer.ToArray();
    }

    /// <summary>A layout with the keys of <see cref="EncodeBlobKeys"/> (none when <paramref name="keys"/> is empty).</summary>
    public static BlobLayout DecodeLayout(byte[]? data, ReadOnlySpan<byte> keys)
    {
        var layout = DecodeLayout(data);
        if (keys.IsEmpty)
        {
            return layout;
        }

        using var reader = new BinaryReader(new MemoryStream(keys.ToArray()), Encoding.UTF8);
        var format = reader.ReadByte();
        if (format != BlobKeysV1)
        {
            throw new InvalidDataException($"Unknown blob key format {format}.");
        }

        var count = reader.Read7BitEncodedInt();
        if (count != layout.Segments.Count)
        {
            throw new InvalidDataException($"The record lists {count} blob keys for {layout.Segments.Count} blobs.");
        }

        var segments = new BlobSegment[count];
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadBytes(reader.Read7BitEncodedInt());
            segments[i] = layout.Segments[i] with { WrappedKey = key.Length == 0 ? null : key };
        }

        return new BlobLayout(segments);
    }

    /// <summary>The blob id of a layout that is one inline segment (as <see cref="EncodeLayout"/> wrote it); null for any other.</summary>
    public static string? SingleInlineBlobId(ReadOnlySpan<byte> layout)
    {
        // Format 2, one segment: the id as BinaryWriter writes a string (a 7-bit length, UTF-8), its length, its flags.
        if (layout.Length < 3 || layout[0] != LayoutV2 || layout[1] != 1)
        {
            return null;
        }

        var position = 2;
        var idLength = (int)SevenBit(layout, ref position);
        var id = layout.Slice(position, idLength);
        position += idLength;
        SevenBit(layout, ref position);
        return (layout[position] & InlineSegment) != 0 ? Encoding.UTF8.GetString(id) : null;
    }

    public static BlobLayout DecodeLayout(byte[]? data)
    {
        if (data is null || data.Length == 0)
        {
            return BlobLayout.Empty;
        }

        using var reader = new BinaryReader(new MemoryStream(data), Encoding.UTF8);
        var format = reader.ReadByte();
        if (format is not LayoutV1 and not LayoutV2)
        {
            throw new InvalidDataException($"Unknown blob layout format {format}.");
        }

        var count = reader.Read7BitEncodedInt();
        var segments = new BlobSegment[count];
        for (var i = 0; i < count; i++)
        {
            var id = reader.ReadString();
            var length = reader.Read7BitEncodedInt64();
            var inline = format == LayoutV2 && (reader.ReadByte() & InlineSegment) != 0;
            segments[i] = new BlobSegment(id, length, null, inline);
        }

        return new BlobLayout(segments);
    }

    private static ulong SevenBit(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        var shift = 0;
        byte b;
        do
        {
            b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);

        return value;
    }
}
