
namespace Coffer.Reports.Orc;

/// <summary>The ORC type kinds of report columns (orc_proto.proto, Type.Kind).</summary>
internal enum OrcTypeKind
{
    Boolean = 0,
    Long = 4,
    String = 7,
    Timestamp = 9,
    Struct = 12,
}

/// <summary>Column encodings (orc_proto.proto, ColumnEncoding.Kind).</summary>
internal enum OrcEncodingKind
{
    Direct = 0,
    DirectV2 = 2,
    DictionaryV2 = 3,
}

/// <summary>One row group of a column in the stripe being written: where it starts in each stream, and its statistics.</summary>
internal sealed class RowGroup(OrcStatistics statistics)
{
    public List<StreamPosition> Positions { get; } = [];

    public OrcStatistics Statistics { get; } = statistics;
}

/// <summary>
/// Encodes one report column into its streams, stripe after stripe. Every column has a PRESENT stream while it is
/// written; a stripe without an absent value leaves it out, with its positions.
/// </summary>
internal abstract class OrcColumnWriter
{
    private readonly BooleanRleEncoder _present;
    private readonly List<RowGroup> _rowGroups = [];

    protected OrcColumnWriter(ColumnDefinition column, int id, ChunkCompressor compressor, OrcStatistics statistics)
    {
        Column = column;
        Id = id;
        _present = new BooleanRleEncoder(new OrcStream(OrcStreamKind.Present, id, compressor));
        StripeStatistics = statistics.CreateEmpty();
        FileStatistics = statistics.CreateEmpty();
    }

    public ColumnDefinition Column { get; }

    /// <summary>The column id, which is also its type id: the root struct is 0.</summary>
    public int Id { get; }

    public abstract OrcTypeKind TypeKind { get; }

    public abstract OrcEncodingKind Encoding { get; }

    /// <summary>For a dictionary encoding, the number of entries.</summary>
    public virtual int DictionarySize => 0;

    public OrcStatistics StripeStatistics { get; private set; }

    public OrcStatistics FileStatistics { get; }

    public IReadOnlyList<RowGroup> RowGroups => _rowGroups;

    /// <summary>The streams of the stripe's data section, in the order they are written.</summary>
    public IEnumerable<OrcStream> DataStreams => StripeStatistics.HasNull ? ValueStreams.Prepend(_present.Stream) : ValueStreams;

    protected abstract IEnumerable<OrcStream> ValueStreams { get; }

    protected RowGroup CurrentRowGroup => _rowGroups[^1];

    /// <summary>Adds the value of <paramref name="row"/>; returns the bytes the value takes before encoding.</summary>
    public abstract int Add(ColumnVector values, int row);

    /// <summary>Starts a row group: runs restart here, so positions need no count of values already taken from one.</summary>
    public void BeginRowGroup()
    {
        _rowGroups.Add(new RowGroup(StripeStatistics.CreateEmpty()));
        CurrentRowGroup.Positions.Add(_present.MarkPosition());
        MarkValuePositions(CurrentRowGroup.Positions);
    }

    public virtual void EndRowGroup() => StripeStatistics.Merge(CurrentRowGroup.Statistics);

    /// <summary>Encodes what the stripe still buffers and hands every stream's last chunk to the compressor.</summary>
    public void FinishStripe()
    {
        _present.Flush();
        FinishValues();
        foreach (var stream in DataStreams)
        {
            stream.Seal();
        }
    }

    /// <summary>The row index entries' positions, once the streams are compressed.</summary>
    public List<ulong> ResolvePositions(RowGroup rowGroup)
    {
        var positions = new List<ulong>();
        foreach (var position in rowGroup.Positions)
        {
            if (StripeStatistics.HasNull || position.Stream != _present.Stream)
            {
                position.AppendTo(positions);
            }
        }

        return positions;
    }

    /// <summary>Clears the written stripe away; its statistics count towards the file's.</summary>
    public void CloseStripe()
    {
        FileStatistics.Merge(StripeStatistics);
        StripeStatistics = StripeStatistics.CreateEmpty();
        Discard();
    }

    /// <summary>Drops what the stripe holds and returns its buffers to the pool.</summary>
    public void Discard()
    {
        _rowGroups.Clear();
        _present.Stream.Reset();
        ResetValues();
    }

    protected void AddPresent(bool present)
    {
        _present.Add(present);
        CurrentRowGroup.Statistics.HasNull |= !present;
    }

    protected abstract void MarkValuePositions(List<StreamPosition> positions);

    protected abstract void FinishValues();

    protected abstract void ResetValues();
}
