using System.Text;

namespace Coffer.Reports.Parquet;

/// <summary>
/// Writes Thrift structs in the compact protocol, as Parquet stores its page headers and footer. A field header is one
/// byte (id delta from the previous field in the same struct in the high nibble, type in the low) when the delta is
/// 1..15; integers are zigzag varints, binaries a varint length then the bytes, booleans live in the field type.
/// </summary>
internal sealed class CompactWriter(PooledBuffer output)
{
    private const byte TypeTrue = 1;
    private const byte TypeFalse = 2;
    private const byte TypeI16 = 4;
    private const byte TypeI32 = 5;
    private const byte TypeI64 = 6;
    private const byte TypeBinary = 8;
    private const byte TypeList = 9;
    private const byte TypeStruct = 12;

    /// <summary>List element types (the same codes as field types for these).</summary>
    public const byte ElementI32 = TypeI32;
    public const byte ElementBinary = TypeBinary;
    public const byte ElementStruct = TypeStruct;

    // The last field id of each open struct: deltas are taken within one struct.
    private readonly Stack<short> _outerFieldIds = new();
    private short _lastFieldId;

    /// <summary>Starts a top-level struct or a struct that is a list element.</summary>
    public void BeginStruct()
    {
        _outerFieldIds.Push(_lastFieldId);
        _lastFieldId = 0;
    }

    public void BeginStructField(short id)
    {
        FieldHeader(id, TypeStruct);
        BeginStruct();
    }

    public void EndStruct()
    {
        output.Write(0);
        _lastFieldId = _outerFieldIds.Pop();
    }

    public void Field(short id, bool value) => FieldHeader(id, value ? TypeTrue : TypeFalse);

    public void Field(short id, short value)
    {
        FieldHeader(id, TypeI16);
        Varint(ZigZag(value));
    }

    public void Field(short id, int value)
    {
        FieldHeader(id, TypeI32);
        Varint(ZigZag(value));
    }

    public void Field(short id, long value)
    {
        FieldHeader(id, TypeI64);
        Varint(ZigZag(value));
    }

    public void Field(short id, ReadOnlySpan<byte> value)
    {
        FieldHeader(id, TypeBinary);
        Binary(value);
    }

    public void Field(short id, string value)
    {
        FieldHeader(id, TypeBinary);
        String(value);
    }

    /// <summary>A list field header; the caller then writes <paramref name="count"/> elements of <paramref name="elementType"/>.</summary>
    public void BeginListField(short id, byte elementType, int count)
    {
        FieldHeader(id, TypeList);
        if (count < 15)
        {
            output.Write((byte)((count << 4) | elementType));
        }
        else
        {
            output.Write((byte)(0xF0 | elementType));
            Varint((ulong)count);
        }
    }

    public void Element(int value) => Varint(ZigZag(value));

    public void Element(string value) => String(value);

    private void FieldHeader(short id, byte type)
    {
        var delta = id - _lastFieldId;
        if (delta is > 0 and <= 15)
        {
            output.Write((byte)((delta << 4) | type));
        }
        else
        {
            output.Write(type);
            Varint(ZigZag(id));
        }

        _lastFieldId = id;
    }

    private void Binary(ReadOnlySpan<byte> value)
    {
        Varint((ulong)value.Length);
        output.Write(value);
    }

    private void String(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        Varint((ulong)length);
        output.Advance(Encoding.UTF8.GetBytes(value, output.Reserve(length)));
    }

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            output.Write((byte)(value | 0x80));
            value >>= 7;
        }

        output.Write((byte)value);
    }

    private static ulong ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));
}
