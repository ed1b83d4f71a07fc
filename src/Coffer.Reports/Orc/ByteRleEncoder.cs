namespace Coffer.Reports.Orc;

/// <summary>
/// ORC's byte run length encoding: a run of 3 to 130 equal bytes is a control byte (length - 3) and the byte; up to
/// 128 other bytes are a control byte (minus their count) and the bytes.
/// </summary>
internal sealed class ByteRleEncoder(OrcStream output)
{
    private const int MinRun = 3;
    private const int MaxRun = 127 + MinRun;
    private const int MaxLiterals = 128;

    // Control byte plus the longest literal group.
    private readonly byte[] _group = new byte[1 + MaxLiterals];
    private int _literalCount;
    private int _tailRepeats;
    private byte _runValue;
    private int _runLength;

    public void Add(byte value)
    {
        if (_runLength > 0)
        {
            if (value == _runValue && _runLength < MaxRun)
            {
                _runLength++;
                return;
            }

            WriteRun();
        }

        _tailRepeats = _literalCount > 0 && _group[_literalCount] == value ? _tailRepeats + 1 : 1;
        _group[1 + _literalCount++] = value;
        if (_tailRepeats == MinRun)
        {
            // The last three literals become the start of a run.
            _literalCount -= MinRun;
            WriteLiterals();
            _runValue = value;
            _runLength = MinRun;
        }
        else if (_literalCount == MaxLiterals)
        {
            WriteLiterals();
        }
    }

    /// <summary>Writes out what is buffered, so the next byte starts a new group: row groups begin on group boundaries.</summary>
    public void Flush()
    {
        if (_runLength > 0)
        {
            WriteRun();
        }
        else
        {
            WriteLiterals();
        }
    }

    private void WriteRun()
    {
        output.WriteByte((byte)(_runLength - MinRun));
        output.WriteByte(_runValue);
        _runLength = 0;
    }

    private void WriteLiterals()
    {
        if (_literalCount > 0)
        {
            _group[0] = (byte)-_literalCount;
            output.Write(_group.AsSpan(0, 1 + _literalCount));
        }

        _literalCount = 0;
        _tailRepeats = 0;
    }
}

/// <summary>Booleans as ORC packs them: eight to a byte, most significant bit first, through the byte RLE.</summary>
internal sealed class BooleanRleEncoder(OrcStream output)
{
    private readonly ByteRleEncoder _bytes = new(output);
    private byte _current;
    private int _bits;

    public OrcStream Stream => output;

    public void Add(bool value)
    {
        if (value)
        {
            _current |= (byte)(0x80 >> _bits);
        }

        if (++_bits == 8)
        {
            _bytes.Add(_current);
            _current = 0;
            _bits = 0;
        }
    }

    /// <summary>
    /// Where the next value goes, for a row index: the byte RLE is flushed so a run starts here; a reader skips no
    /// bytes of it and then the bits of the partial byte already taken.
    /// </summary>
    public StreamPosition MarkPosition()
    {
        _bytes.Flush();
        return new StreamPosition(output, output.Position, PositionShape.Bits, _bits);
    }

    /// <summary>Writes the last partial byte (padded with zeros) and what the byte RLE holds.</summary>
    public void Flush()
    {
        if (_bits > 0)
        {
            _bytes.Add(_current);
            _current = 0;
            _bits = 0;
        }

        _bytes.Flush();
    }
}
