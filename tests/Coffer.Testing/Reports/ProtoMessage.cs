using System.Text;
using Google.Protobuf;

namespace Coffer.Testing.Reports;

/// <summary>
/// A protobuf message read without a schema by Google.Protobuf's decoder: each field number maps to the values seen,
/// varints as numbers and length-delimited fields as bytes. Accessors interpret them as orc_proto.proto declares.
/// </summary>
internal sealed class ProtoMessage
{
    private readonly Dictionary<int, List<object>> _fields = [];

    public ProtoMessage(ReadOnlySpan<byte> bytes)
    {
        var input = new CodedInputStream(bytes.ToArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            object value = WireFormat.GetTagWireType(tag) switch
            {
                WireFormat.WireType.Varint => input.ReadUInt64(),
                WireFormat.WireType.LengthDelimited => input.ReadBytes().ToByteArray(),
                WireFormat.WireType.Fixed64 => input.ReadFixed64(),
                WireFormat.WireType.Fixed32 => (ulong)input.ReadFixed32(),
                var other => throw new FormatException($"Unexpected wire type {other}."),
            };
            var field = WireFormat.GetTagFieldNumber(tag);
            if (!_fields.TryGetValue(field, out var values))
            {
                _fields[field] = values = [];
            }

            values.Add(value);
        }
    }

    public bool Has(int field) => _fields.ContainsKey(field);

    public ulong UInt64(int field) => _fields.TryGetValue(field, out var values) ? (ulong)values[^1] : 0;

    public ulong? OptionalUInt64(int field) => Has(field) ? UInt64(field) : null;

    public long SInt64(int field) => Unzigzag(UInt64(field));

    public long? OptionalSInt64(int field) => Has(field) ? SInt64(field) : null;

    public bool Bool(int field) => UInt64(field) != 0;

    public string? String(int field) => Has(field) ? Encoding.UTF8.GetString((byte[])_fields[field][^1]) : null;

    public IReadOnlyList<string> Strings(int field) =>
        _fields.TryGetValue(field, out var values) ? values.Select(v => Encoding.UTF8.GetString((byte[])v)).ToArray() : [];

    public ProtoMessage? Message(int field) => Has(field) ? new ProtoMessage((byte[])_fields[field][^1]) : null;

    public IReadOnlyList<ProtoMessage> Messages(int field) =>
        _fields.TryGetValue(field, out var values) ? values.Select(v => new ProtoMessage((byte[])v)).ToArray() : [];

    /// <summary>A repeated varint field, packed or not (a reader must take both).</summary>
    public IReadOnlyList<ulong> Repeated(int field)
    {
        var result = new List<ulong>();
        if (!_fields.TryGetValue(field, out var values))
        {
            return result;
        }

        foreach (var value in values)
        {
            if (value is byte[] packed)
            {
                var input = new CodedInputStream(packed);
                while (!input.IsAtEnd)
                {
                    result.Add(input.ReadUInt64());
                }
            }
            else
            {
                result.Add((ulong)value);
            }
        }

        return result;
    }

    public bool IsPacked(int field) => _fields.TryGetValue(field, out var values) && values.All(v => v is byte[]);

    public static long Unzigzag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
