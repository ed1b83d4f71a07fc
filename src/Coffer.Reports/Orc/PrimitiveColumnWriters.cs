
namespace Coffer.Reports.Orc;

/// <summary>bigint: DATA holds the values as signed RLE v2.</summary>
internal sealed class LongColumnWriter : OrcColumnWriter
{
    private const int ValueBytes = sizeof(long);

    private readonly OrcStream _data;
    private readonly IntegerRleV2Encoder _values;

    public LongColumnWriter(ColumnDefinition column, int id, ChunkCompressor compressor)
        : base(column, id, compressor, new IntegerStatistics())
    {
        _data = new OrcStream(OrcStreamKind.Data, id, compressor);
        _values = new IntegerRleV2Encoder(_data, signed: true);
    }

    public override OrcTypeKind TypeKind => OrcTypeKind.Long;

    public override OrcEncodingKind Encoding => OrcEncodingKind.DirectV2;

    protected override IEnumerable<OrcStream> ValueStreams => [_data];

    public override int Add(ColumnVector values, int row)
    {
        var present = !values.IsNull(row);
        AddPresent(present);
        if (!present)
        {
            return 0;
        }

        var number = values.Int64(row);
        _values.Add(number);
        ((IntegerStatistics)CurrentRowGroup.Statistics).Add(number);
        return ValueBytes;
    }

    protected override void MarkValuePositions(List<StreamPosition> positions)
    {
        _values.Flush();
        positions.Add(new StreamPosition(_data, _data.Position, PositionShape.Run));
    }

    protected override void FinishValues() => _values.Flush();

    protected override void ResetValues() => _data.Reset();
}

/// <summary>boolean: DATA holds the values as bits through the byte RLE.</summary>
internal sealed class BooleanColumnWriter : OrcColumnWriter
{
    private const int ValueBytes = 1;

    private readonly BooleanRleEncoder _values;

    public BooleanColumnWriter(ColumnDefinition column, int id, ChunkCompressor compressor)
        : base(column, id, compressor, new BooleanStatistics())
    {
        _values = new BooleanRleEncoder(new OrcStream(OrcStreamKind.Data, id, compressor));
    }

    public override OrcTypeKind TypeKind => OrcTypeKind.Boolean;

    public override OrcEncodingKind Encoding => OrcEncodingKind.Direct;

    protected override IEnumerable<OrcStream> ValueStreams => [_values.Stream];

    public override int Add(ColumnVector values, int row)
    {
        var present = !values.IsNull(row);
        AddPresent(present);
        if (!present)
        {
            return 0;
        }

        var flag = values.Boolean(row);
        _values.Add(flag);
        ((BooleanStatistics)CurrentRowGroup.Statistics).Add(flag);
        return ValueBytes;
    }

    protected override void MarkValuePositions(List<StreamPosition> positions) => positions.Add(_values.MarkPosition());

    protected override void FinishValues() => _values.Flush();

    protected override void ResetValues() => _values.Stream.Reset();
}

/// <summary>timestamp: DATA holds seconds since 2015-01-01 UTC (signed RLE v2), SECONDARY the encoded nanoseconds.</summary>
internal sealed class TimestampColumnWriter : OrcColumnWriter
{
    /// <summary>Seconds and nanoseconds, as a reader holds them.</summary>
    private const int ValueBytes = sizeof(long) + sizeof(int);

    private readonly OrcStream _data;
    private readonly OrcStream _secondary;
    private readonly IntegerRleV2Encoder _seconds;
    private readonly IntegerRleV2Encoder _nanoseconds;

    public TimestampColumnWriter(ColumnDefinition column, int id, ChunkCompressor compressor)
        : base(column, id, compressor, new TimestampStatistics())
    {
        _data = new OrcStream(OrcStreamKind.Data, id, compressor);
        _secondary = new OrcStream(OrcStreamKind.Secondary, id, compressor);
        _seconds = new IntegerRleV2Encoder(_data, signed: true);
        _nanoseconds = new IntegerRleV2Encoder(_secondary, signed: false);
    }

    public override OrcTypeKind TypeKind => OrcTypeKind.Timestamp;

    public override OrcEncodingKind Encoding => OrcEncodingKind.DirectV2;

    protected override IEnumerable<OrcStream> ValueStreams => [_data, _secondary];

    public override int Add(ColumnVector values, int row)
    {
        var present = !values.IsNull(row);
        AddPresent(present);
        if (!present)
        {
            return 0;
        }

        var ticks = values.Ticks(row);
        var (seconds, nanoseconds) = OrcTime.Encode(ticks);
        _seconds.Add(seconds);
        _nanoseconds.Add(nanoseconds);
        ((TimestampStatistics)CurrentRowGroup.Statistics).Add(ticks);
        return ValueBytes;
    }

    protected override void MarkValuePositions(List<StreamPosition> positions)
    {
        _seconds.Flush();
        _nanoseconds.Flush();
        positions.Add(new StreamPosition(_data, _data.Position, PositionShape.Run));
        positions.Add(new StreamPosition(_secondary, _secondary.Position, PositionShape.Run));
    }

    protected override void FinishValues()
    {
        _seconds.Flush();
        _nanoseconds.Flush();
    }

    protected override void ResetValues()
    {
        _data.Reset();
        _secondary.Reset();
    }
}
