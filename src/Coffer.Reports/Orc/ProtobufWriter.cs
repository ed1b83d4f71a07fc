using System.Text;

namespace Coffer.Reports.Orc;

/// <summary>
/// Just enough of the protobuf wire format for ORC's metadata: varints, zigzag varints, length-delimited fields and
/// packed repeated varints. A nested message is written into its own writer and embedded as bytes.
/// </summary>
internal sealed class ProtobufWriter
{
    private const int VarintWireType = 0;
    private const int LengthDelimitedWireType = 2;

    private byte[] _buffer = new byte[64];
    private int _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public void WriteUInt64(int field, ulong value)
    {
        WriteTag(field, VarintWireType);
        WriteVarint(value);
    }

    public void WriteSInt64(int field, long value) => WriteUInt64(field, Zigzag(value));

    public void WriteBool(int field, bool value) => WriteUInt64(field, value ? 1UL : 0UL);

    public void WriteString(int field, string value)
    {
        WriteTag(field, LengthDelimitedWireType);
        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)length);
        EnsureRoom(length);
        _length += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
    }

    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, LengthDelimitedWireType);
        WriteVarint((ulong)value.Length);
        EnsureRoom(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    public void WriteMessage(int field, ProtobufWriter message) => WriteBytes(field, message.WrittenSpan);

    /// <summary>A packed repeated varint field; protobuf leaves an empty one out.</summary>
    public void WritePacked(int field, ReadOnlySpan<ulong> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        var size = 0;
        foreach (var value in values)
        {
            size += VarintLength(value);
        }

        WriteTag(field, LengthDelimitedWireType);
        WriteVarint((ulong)size);
        foreach (var value in values)
        {
            WriteVarint(value);
        }
    }

    public static ulong Zigzag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static int VarintLength(ulong value) => value == 0 ? 1 : (70 - (int)ulong.LeadingZeroCount(value)) / 7;

    /// <summary>Writes <paramref name="value"/> as a base-128 varint at the start of <paramref name="destination"/>; returns its length.</summary>
    public static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private void WriteTag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    private void WriteVarint(ulong value)
    {
        EnsureRoom(10);
        _length += WriteVarint(_buffer.AsSpan(_length), value);
    }

    private void EnsureRoom(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }
    }
}
