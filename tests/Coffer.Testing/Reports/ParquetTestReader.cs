using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using FluentAssertions;

namespace Coffer.Testing.Reports;

/// <summary>A schema leaf as the footer describes it.</summary>
internal sealed record SchemaLeaf(string Name, int Type, int Repetition, int? ConvertedType, ThriftStruct? LogicalType);

/// <summary>One page as found in a column chunk.</summary>
internal sealed record PageRead(int PageType, int Encoding, int ValueCount, int UncompressedSize, int CompressedSize);

/// <summary>A column chunk's values (null where the definition level is 0) and the pages they came from.</summary>
internal sealed record ColumnRead(IReadOnlyList<object?> Values, IReadOnlyList<PageRead> Pages);

/// <summary>
/// A small Parquet reader written from the specification for the tests: footer, flat schemas, data pages v1 with RLE
/// definition levels, PLAIN and RLE_DICTIONARY values, dictionary pages, and the three codecs the writer has. Strings
/// come back as .NET strings, INT64 as long, BOOLEAN as bool. Anything it does not expect fails loudly.
/// </summary>
internal sealed class ParquetTestReader
{
    private const int TypeBoolean = 0;
    private const int TypeInt64 = 2;
    private const int TypeByteArray = 6;

    private readonly byte[] _file;

    private ParquetTestReader(byte[] file, ThriftStruct metadata)
    {
        _file = file;
        Metadata = metadata;
        var schema = metadata.Structs(2).ToArray();
        MessageName = schema[0].String(4);
        schema[0].Int(5).Should().Be(schema.Length - 1, "the root's children are every other element");
        Leaves = [.. schema.Skip(1).Select(e => new SchemaLeaf(e.String(4), e.Int(1), e.Int(3), e.Has(6) ? e.Int(6) : null,
            e.Has(10) ? e.Struct(10) : null))];
    }

    public ThriftStruct Metadata { get; }

    public string MessageName { get; }

    public IReadOnlyList<SchemaLeaf> Leaves { get; }

    public long RowCount => Metadata.Long(3);

    public IReadOnlyList<ThriftStruct> RowGroups => [.. Metadata.Structs(4)];

    public static ParquetTestReader Open(byte[] file)
    {
        Encoding.ASCII.GetString(file, 0, 4).Should().Be("PAR1");
        Encoding.ASCII.GetString(file, file.Length - 4, 4).Should().Be("PAR1");
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(file.Length - 8));
        var footerStart = file.Length - 8 - footerLength;
        var reader = new ThriftCompactReader(file, footerStart);
        var metadata = reader.ReadStruct();
        reader.Position.Should().Be(file.Length - 8, "the footer length covers exactly the FileMetaData");
        return new ParquetTestReader(file, metadata);
    }

    /// <summary>The ColumnMetaData of a column in a row group.</summary>
    public ThriftStruct Chunk(int rowGroup, int column) => RowGroups[rowGroup].Structs(1).ElementAt(column).Struct(3);

    public int ColumnIndex(string name) => Leaves.Select(l => l.Name).ToList().IndexOf(name);

    /// <summary>Every value of a column, row group after row group.</summary>
    public IReadOnlyList<object?> Column(string name)
    {
        var index = ColumnIndex(name);
        index.Should().BeGreaterThanOrEqualTo(0, $"the file has a column {name}");
        return [.. Enumerable.Range(0, RowGroups.Count).SelectMany(g => ReadChunk(g, index).Values)];
    }

    public ColumnRead ReadChunk(int rowGroup, int column)
    {
        var leaf = Leaves[column];
        var meta = Chunk(rowGroup, column);
        var codec = meta.Int(4);
        var position = meta.Has(11) ? meta.Long(11) : meta.Long(9);
        var end = position + meta.Long(7);
        List<object>? dictionary = null;
        var values = new List<object?>();
        var pages = new List<PageRead>();
        while (position < end)
        {
            var reader = new ThriftCompactReader(_file, checked((int)position));
            var header = reader.ReadStruct();
            var (pageType, uncompressedSize, compressedSize) = (header.Int(1), header.Int(2), header.Int(3));
            var body = Decompress(_file.AsSpan(reader.Position, compressedSize), codec);
            body.Length.Should().Be(uncompressedSize, "uncompressed_page_size is the body's size");
            position = reader.Position + compressedSize;
            if (pageType == 2)
            {
                var dictionaryHeader = header.Struct(7);
                dictionaryHeader.Int(2).Should().Be(0, "dictionary pages are PLAIN");
                dictionary = DecodePlain(body, 0, dictionaryHeader.Int(1), leaf.Type);
                pages.Add(new PageRead(pageType, 0, dictionaryHeader.Int(1), uncompressedSize, compressedSize));
                continue;
            }

            pageType.Should().Be(0, "only data pages v1 and dictionary pages are written");
            var dataHeader = header.Struct(5);
            var (count, encoding) = (dataHeader.Int(1), dataHeader.Int(2));
            pages.Add(new PageRead(pageType, encoding, count, uncompressedSize, compressedSize));
            var offset = 0;
            int[] levels;
            if (leaf.Repetition == 1)
            {
                dataHeader.Int(3).Should().Be(3, "definition levels are RLE");
                var length = BinaryPrimitives.ReadInt32LittleEndian(body);
                levels = DecodeHybrid(body.AsSpan(4, length), 1, count);
                offset = 4 + length;
            }
            else
            {
                levels = Enumerable.Repeat(1, count).ToArray();
            }

            var present = levels.Count(l => l == 1);
            List<object> pageValues;
            if (encoding == 0)
            {
                pageValues = DecodePlain(body, offset, present, leaf.Type);
            }
            else
            {
                encoding.Should().Be(8, "data pages are PLAIN or RLE_DICTIONARY");
                dictionary.Should().NotBeNull("the dictionary page comes first");
                var bitWidth = body[offset];
                pageValues = [.. DecodeHybrid(body.AsSpan(offset + 1), bitWidth, present).Select(i => dictionary![i])];
            }

            var next = 0;
            values.AddRange(levels.Select(l => l == 1 ? pageValues[next++] : null));
        }

        position.Should().Be(end, "total_compressed_size covers the chunk's pages and headers exactly");
        values.Count.Should().Be(checked((int)meta.Long(5)), "num_values counts every row of the chunk");
        return new ColumnRead(values, pages);
    }

    private static byte[] Decompress(ReadOnlySpan<byte> compressed, int codec)
    {
        switch (codec)
        {
            case 0:
                return compressed.ToArray();
            case 1:
                return Snappier.Snappy.DecompressToArray(compressed);
            case 2:
                using (var gzip = new GZipStream(new MemoryStream(compressed.ToArray()), CompressionMode.Decompress))
                {
                    var output = new MemoryStream();
                    gzip.CopyTo(output);
                    return output.ToArray();
                }

            default:
                throw new FormatException($"Unexpected codec {codec}.");
        }
    }

    /// <summary>PLAIN values, which must fill the rest of the body exactly.</summary>
    private static List<object> DecodePlain(byte[] body, int offset, int count, int type)
    {
        var values = new List<object>(count);
        for (var i = 0; i < count; i++)
        {
            switch (type)
            {
                case TypeBoolean:
                    values.Add((body[offset + (i / 8)] >> (i % 8) & 1) == 1);
                    break;
                case TypeInt64:
                    values.Add(BinaryPrimitives.ReadInt64LittleEndian(body.AsSpan(offset)));
                    offset += 8;
                    break;
                case TypeByteArray:
                    var length = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(offset));
                    values.Add(Encoding.UTF8.GetString(body, offset + 4, length));
                    offset += 4 + length;
                    break;
                default:
                    throw new FormatException($"Unexpected physical type {type}.");
            }
        }

        if (type == TypeBoolean)
        {
            offset += (count + 7) / 8;
        }

        offset.Should().Be(body.Length, "PLAIN values end where the page ends");
        return values;
    }

    /// <summary>The RLE / bit-packing hybrid: runs (header even) and bit-packed groups of 8 (header odd).</summary>
    private static int[] DecodeHybrid(ReadOnlySpan<byte> data, int bitWidth, int count)
    {
        var values = new int[count];
        var produced = 0;
        var position = 0;
        while (produced < count)
        {
            var header = ReadVarint(data, ref position);
            if ((header & 1) == 0)
            {
                var run = (int)(header >> 1);
                var value = 0;
                for (var b = 0; b < (bitWidth + 7) / 8; b++)
                {
                    value |= data[position++] << (8 * b);
                }

                run.Should().BeGreaterThan(0);
                for (var i = 0; i < run; i++)
                {
                    values[produced++] = value;
                }
            }
            else
            {
                var groups = (int)(header >> 1);
                var bitPosition = position * 8L;
                for (var i = 0; i < groups * 8; i++)
                {
                    var value = 0;
                    for (var bit = 0; bit < bitWidth; bit++, bitPosition++)
                    {
                        value |= ((data[(int)(bitPosition / 8)] >> (int)(bitPosition % 8)) & 1) << bit;
                    }

                    if (produced < count)
                    {
                        values[produced++] = value;
                    }
                }

                position += groups * bitWidth;
            }
        }

        return values;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
