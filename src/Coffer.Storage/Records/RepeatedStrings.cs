using System.Text;

namespace Coffer.Storage.Records;

/// <summary>
/// The short values a scan decodes row after row that mostly repeat (content types, replication statuses, encryption,
/// ACLs): the last few are kept with their UTF-8 bytes, and a value equal to one of them comes back as that same string
/// instead of a new one. One per scan: not for several threads.
/// </summary>
public sealed class RepeatedStrings
{
    private const int Slots = 8;
    private const int MaxBytes = 256;

    private readonly byte[][] _bytes = new byte[Slots][];
    private readonly string[] _strings = new string[Slots];
    private int _next;

    public string Get(ReadOnlySpan<byte> utf8)
    {
        for (var i = 0; i < Slots; i++)
        {
            if (_strings[i] is { } known && utf8.SequenceEqual(_bytes[i]))
            {
                return known;
            }
        }

        var text = Encoding.UTF8.GetString(utf8);
        if (utf8.Length <= MaxBytes)
        {
            _bytes[_next] = utf8.ToArray();
            _strings[_next] = text;
            _next = (_next + 1) % Slots;
        }

        return text;
    }
}
