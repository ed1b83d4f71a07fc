namespace Coffer.Reports.Orc;

/// <summary>
/// string, chosen per stripe between DICTIONARY_V2 and DIRECT_V2. A stripe starts collecting a dictionary; when its
/// first row group ends, a column whose distinct values exceed <see cref="MaxDistinctRatio"/> of its values (keys,
/// versions, ETags) turns direct for the rest of the stripe, while one that repeats (appid, bucket, storage class) keeps
/// it. A dictionary is sorted in UTF-8 byte order at the end of the stripe, which is when its DATA is encoded.
/// </summary>
internal sealed class StringColumnWriter : OrcColumnWriter
{
    private const double MaxDistinctRatio = 0.8;

    private readonly OrcStream _data;
    private readonly OrcStream _length;
    private readonly OrcStream _dictionaryData;
    private readonly IntegerRleV2Encoder _lengths;
    private readonly IntegerRleV2Encoder _ids;
    private readonly Utf8Dictionary _entries = new();
    private readonly List<int> _valueIds = [];
    private readonly List<int> _rowGroupFirstValues = [];
    private bool _decided;
    private bool _direct;

    public StringColumnWriter(ColumnDefinition column, int id, ChunkCompressor compressor)
        : base(column, id, compressor, new StringStatistics())
    {
        _data = new OrcStream(OrcStreamKind.Data, id, compressor);
        _length = new OrcStream(OrcStreamKind.Length, id, compressor);
        _dictionaryData = new OrcStream(OrcStreamKind.DictionaryData, id, compressor);
        _lengths = new IntegerRleV2Encoder(_length, signed: false);
        _ids = new IntegerRleV2Encoder(_data, signed: false);
    }

    public override OrcTypeKind TypeKind => OrcTypeKind.String;

    public override OrcEncodingKind Encoding => _direct ? OrcEncodingKind.DirectV2 : OrcEncodingKind.DictionaryV2;

    public override int DictionarySize => _direct ? 0 : _entries.Count;

    protected override IEnumerable<OrcStream> ValueStreams => _direct ? [_data, _length] : [_data, _length, _dictionaryData];

    public override int Add(ColumnVector values, int row)
    {
        var present = !values.IsNull(row);
        AddPresent(present);
        if (!present)
        {
            return 0;
        }

        var text = values.Utf8(row);
        if (_direct)
        {
            _data.Write(text);
            _lengths.Add(text.Length);
        }
        else
        {
            _valueIds.Add(_entries.GetOrAdd(text, out _));
        }

        ((StringStatistics)CurrentRowGroup.Statistics).Add(text);
        return text.Length;
    }

    public override void EndRowGroup()
    {
        base.EndRowGroup();
        if (!_decided)
        {
            _decided = true;
            if (_entries.Count > MaxDistinctRatio * _valueIds.Count)
            {
                TurnDirect();
            }
        }
    }

    protected override void MarkValuePositions(List<StreamPosition> positions)
    {
        if (_direct)
        {
            _lengths.Flush();
            positions.Add(new StreamPosition(_data, _data.Position, PositionShape.Bytes));
            positions.Add(new StreamPosition(_length, _length.Position, PositionShape.Run));
        }
        else
        {
            // DATA positions are known once the dictionary is sorted and the ids encoded, at the end of the stripe.
            _rowGroupFirstValues.Add(_valueIds.Count);
        }
    }

    protected override void FinishValues()
    {
        if (_direct)
        {
            _lengths.Flush();
            return;
        }

        var entries = _entries.Entries;
        var order = Enumerable.Range(0, entries.Count).ToArray();
        Array.Sort(order, (left, right) => entries[left].AsSpan().SequenceCompareTo(entries[right]));
        var sortedIds = new int[order.Length];
        foreach (var entry in order)
        {
            _dictionaryData.Write(entries[entry]);
            _lengths.Add(entries[entry].Length);
        }

        for (var i = 0; i < order.Length; i++)
        {
            sortedIds[order[i]] = i;
        }

        _lengths.Flush();
        var value = 0;
        for (var group = 0; group < RowGroups.Count; group++)
        {
            _ids.Flush();
            RowGroups[group].Positions.Add(new StreamPosition(_data, _data.Position, PositionShape.Run));
            var end = group + 1 < RowGroups.Count ? _rowGroupFirstValues[group + 1] : _valueIds.Count;
            for (; value < end; value++)
            {
                _ids.Add(sortedIds[_valueIds[value]]);
            }
        }

        _ids.Flush();
    }

    protected override void ResetValues()
    {
        _data.Reset();
        _length.Reset();
        _dictionaryData.Reset();
        _entries.Clear();
        _valueIds.Clear();
        _rowGroupFirstValues.Clear();
        _decided = false;
        _direct = false;
    }

    /// <summary>
    /// Writes the values taken so far (the first row group's) directly and drops the dictionary. That row group starts
    /// at the beginning of both streams.
    /// </summary>
    private void TurnDirect()
    {
        _direct = true;
        CurrentRowGroup.Positions.Add(new StreamPosition(_data, 0, PositionShape.Bytes));
        CurrentRowGroup.Positions.Add(new StreamPosition(_length, 0, PositionShape.Run));
        foreach (var id in _valueIds)
        {
            _data.Write(_entries.Entries[id]);
            _lengths.Add(_entries.Entries[id].Length);
        }

        _entries.Clear();
        _valueIds.Clear();
        _rowGroupFirstValues.Clear();
    }
}
