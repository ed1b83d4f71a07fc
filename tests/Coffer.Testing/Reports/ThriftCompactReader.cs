using System.Text;

namespace Coffer.Testing.Reports;

/// <summary>A Thrift struct as read without its IDL: field id to value (bool, long, byte[], list or struct).</summary>
internal sealed class ThriftStruct(Dictionary<short, object> fields)
{
    public IReadOnlyDictionary<short, object> Fields { get; } = fields;

    public bool Has(short id) => Fields.ContainsKey(id);

    public long Long(short id) => (long)Fields[id];

    public int Int(short id) => checked((int)(long)Fields[id]);

    public bool Bool(short id) => (bool)Fields[id];

    public byte[] Binary(short id) => (byte[])Fields[id];

    public string String(short id) => Encoding.UTF8.GetString(Binary(id));

    public ThriftStruct Struct(short id) => (ThriftStruct)Fields[id];

    public IReadOnlyList<object> List(short id) => (List<object>)Fields[id];

    public IEnumerable<ThriftStruct> Structs(short id) => List(id).Cast<ThriftStruct>();
}

/// <summary>
/// Reads the Thrift compact protocol independently of the writer: generic structs, every type the protocol has, so a
/// wrong type or a bad field delta shows up as a parse error or a wrong field, not as a matching mistake.
/// </summary>
internal sealed class ThriftCompactReader(byte[] buffer, int position)
{
    public int Position { get; private set; } = position;

    public ThriftStruct ReadStruct()
    {
        var fields = new Dictionary<short, object>();
        short lastId = 0;
        while (true)
        {
            var header = buffer[Position++];
            if (header == 0)
            {
                return new ThriftStruct(fields);
            }

            var type = header & 0x0F;
            var delta = header >> 4;
            var id = delta == 0 ? (short)ZigZag(ReadVarint()) : (short)(lastId + delta);
            fields.Add(id, ReadValue(type, inList: false));
            lastId = id;
        }
    }

    private object ReadValue(int type, bool inList) => type switch
    {
        1 => true,
        2 when !inList => false,
        2 => buffer[Position++] == 1,
        3 => (long)(sbyte)buffer[Position++],
        4 or 5 or 6 => ZigZag(ReadVarint()),
        7 => BitConverter.ToDouble(ReadBytes(8)),
        8 => ReadBytes((int)ReadVarint()),
        9 or 10 => ReadList(),
        12 => ReadStruct(),
        _ => throw new FormatException($"Thrift compact type {type} at {Position} is not expected in Parquet metadata."),
    };

    private List<object> ReadList()
    {
        var header = buffer[Position++];
        var size = header >> 4;
        if (size == 15)
        {
            size = (int)ReadVarint();
        }

        var elementType = header & 0x0F;
        var list = new List<object>(size);
        for (var i = 0; i < size; i++)
        {
            list.Add(ReadValue(elementType, inList: true));
        }

        return list;
    }

    private byte[] ReadBytes(int count)
    {
        var bytes = buffer.AsSpan(Position, count).ToArray();
        Position += count;
        return bytes;
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = buffer[Position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    private static long ZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
