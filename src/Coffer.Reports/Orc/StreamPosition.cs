namespace Coffer.Reports.Orc;

/// <summary>What a reader consumes after seeking a stream, which decides how many numbers its position takes.</summary>
internal enum PositionShape
{
    /// <summary>Plain bytes (string contents): the chunk start and the bytes to skip in it.</summary>
    Bytes,

    /// <summary>An RLE stream: also the values to skip in the run there, always 0 as runs restart at row groups.</summary>
    Run,

    /// <summary>A boolean stream: also the bits to skip in the first byte.</summary>
    Bits,
}

/// <summary>Where a row group starts in one stream, as an uncompressed offset until the stream is compressed.</summary>
internal readonly record struct StreamPosition(OrcStream Stream, long Offset, PositionShape Shape, int BitsToSkip = 0)
{
    public void AppendTo(List<ulong> positions)
    {
        var (chunkStart, skip) = Stream.Locate(Offset);
        positions.Add(chunkStart);
        positions.Add(skip);
        if (Shape != PositionShape.Bytes)
        {
            positions.Add(0);
        }

        if (Shape == PositionShape.Bits)
        {
            positions.Add((ulong)BitsToSkip);
        }
    }
}
