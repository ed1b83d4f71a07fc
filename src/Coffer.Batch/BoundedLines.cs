using System.Text;

namespace Coffer.Batch;

/// <summary>
/// The lines of a text, each ended by <c>\n</c> or <c>\r\n</c> (the last one with or without; a lone <c>\r</c>, which
/// <see cref="TextReader.ReadLine"/> also ends a line at, is kept in it), each at most <c>maxLength</c> characters: a longer one is refused as soon as it is known to be
/// longer, never held whole.
/// </summary>
internal sealed class BoundedLines(TextReader reader, int maxLength)
{
    private readonly char[] _buffer = new char[16 * 1024];
    private readonly StringBuilder _line = new();
    private int _start;
    private int _end;

    /// <summary>The next line, without its end; null after the last.</summary>
    public string? Next()
    {
        _line.Clear();
        var any = false;
        while (true)
        {
            if (_start == _end)
            {
                (_start, _end) = (0, reader.Read(_buffer, 0, _buffer.Length));
                if (_end == 0)
                {
                    return any ? Bounded(Trimmed()) : null;
                }
            }

            any = true;
            var newline = Array.IndexOf(_buffer, '\n', _start, _end - _start);
            var stop = newline < 0 ? _end : newline;
            // The line's \r, if any, is still in it here: one more character may be allowed for it.
            if (_line.Length + (stop - _start) > maxLength + 1)
            {
                throw new TooLongException();
            }

            _line.Append(_buffer, _start, stop - _start);
            _start = stop;
            if (newline >= 0)
            {
                _start++;
                return Bounded(Trimmed());
            }
        }
    }

    private string Bounded(string line) => line.Length <= maxLength ? line : throw new TooLongException();

    private string Trimmed() => _line.Length > 0 && _line[^1] == '\r' ? _line.ToString(0, _line.Length - 1) : _line.ToString();

    /// <summary>A line longer than the bound.</summary>
    public sealed class TooLongException : Exception;
}
