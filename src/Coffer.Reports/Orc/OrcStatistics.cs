namespace Coffer.Reports.Orc;

/// <summary>
/// A column's statistics over a row group, a stripe or the file (orc_proto.proto, ColumnStatistics): the count of
/// values present, whether any was absent, and per type what the specification records.
/// </summary>
internal abstract class OrcStatistics
{
    private const int NumberOfValuesField = 1;
    private const int HasNullField = 10;

    public long Count { get; protected set; }

    public bool HasNull { get; set; }

    public void Merge(OrcStatistics other)
    {
        Count += other.Count;
        HasNull |= other.HasNull;
        MergeValues(other);
    }

    public ProtobufWriter Serialize()
    {
        var message = new ProtobufWriter();
        message.WriteUInt64(NumberOfValuesField, (ulong)Count);
        WriteValues(message);
        message.WriteBool(HasNullField, HasNull);
        return message;
    }

    public abstract OrcStatistics CreateEmpty();

    protected abstract void MergeValues(OrcStatistics other);

    protected abstract void WriteValues(ProtobufWriter message);
}

/// <summary>The root struct: only counts rows.</summary>
internal sealed class RowStatistics : OrcStatistics
{
    public void AddRows(long rows) => Count += rows;

    public override OrcStatistics CreateEmpty() => new RowStatistics();

    protected override void MergeValues(OrcStatistics other)
    {
    }

    protected override void WriteValues(ProtobufWriter message)
    {
    }
}

/// <summary>Minimum, maximum and sum; the sum is left out once it overflows, as the specification asks.</summary>
internal sealed class IntegerStatistics : OrcStatistics
{
    private const int IntStatisticsField = 2;
    private const int MinimumField = 1;
    private const int MaximumField = 2;
    private const int SumField = 3;

    private long _minimum = long.MaxValue;
    private long _maximum = long.MinValue;
    private long _sum;
    private bool _sumOverflowed;

    public void Add(long value)
    {
        Count++;
        _minimum = Math.Min(_minimum, value);
        _maximum = Math.Max(_maximum, value);
        AddToSum(value);
    }

    public override OrcStatistics CreateEmpty() => new IntegerStatistics();

    protected override void MergeValues(OrcStatistics other)
    {
        var integers = (IntegerStatistics)other;
        _minimum = Math.Min(_minimum, integers._minimum);
        _maximum = Math.Max(_maximum, integers._maximum);
        _sumOverflowed |= integers._sumOverflowed;
        AddToSum(integers._sum);
    }

    protected override void WriteValues(ProtobufWriter message)
    {
        var integers = new ProtobufWriter();
        if (Count > 0)
        {
            integers.WriteSInt64(MinimumField, _minimum);
            integers.WriteSInt64(MaximumField, _maximum);
        }

        if (!_sumOverflowed)
        {
            integers.WriteSInt64(SumField, _sum);
        }

        message.WriteMessage(IntStatisticsField, integers);
    }

    private void AddToSum(long value)
    {
        var sum = unchecked(_sum + value);
        _sumOverflowed |= ((_sum ^ sum) & (value ^ sum)) < 0;
        _sum = sum;
    }
}

/// <summary>Minimum and maximum in UTF-8 byte order, and the sum of the values' UTF-8 lengths.</summary>
internal sealed class StringStatistics : OrcStatistics
{
    private const int StringStatisticsField = 4;
    private const int MinimumField = 1;
    private const int MaximumField = 2;
    private const int SumField = 3;

    private readonly Utf8Value _minimum = new();
    private readonly Utf8Value _maximum = new();
    private long _sum;

    public void Add(ReadOnlySpan<byte> value)
    {
        Count++;
        _sum += value.Length;
        Extend(value, value);
    }

    public override OrcStatistics CreateEmpty() => new StringStatistics();

    protected override void MergeValues(OrcStatistics other)
    {
        var strings = (StringStatistics)other;
        _sum += strings._sum;
        if (strings._minimum.IsSet)
        {
            Extend(strings._minimum.Span, strings._maximum.Span);
        }
    }

    protected override void WriteValues(ProtobufWriter message)
    {
        var strings = new ProtobufWriter();
        if (_minimum.IsSet)
        {
            strings.WriteBytes(MinimumField, _minimum.Span);
            strings.WriteBytes(MaximumField, _maximum.Span);
        }

        strings.WriteSInt64(SumField, _sum);
        message.WriteMessage(StringStatisticsField, strings);
    }

    private void Extend(ReadOnlySpan<byte> low, ReadOnlySpan<byte> high)
    {
        if (!_minimum.IsSet || low.SequenceCompareTo(_minimum.Span) < 0)
        {
            _minimum.Set(low);
        }

        if (!_maximum.IsSet || high.SequenceCompareTo(_maximum.Span) > 0)
        {
            _maximum.Set(high);
        }
    }

    /// <summary>A bound kept in a buffer of its own, reused as the bound moves (keys in order move the maximum every row).</summary>
    private sealed class Utf8Value
    {
        private byte[] _bytes = [];
        private int _length = -1;

        public bool IsSet => _length >= 0;

        public ReadOnlySpan<byte> Span => _bytes.AsSpan(0, Math.Max(0, _length));

        public void Set(ReadOnlySpan<byte> value)
        {
            if (value.Length > _bytes.Length)
            {
                _bytes = new byte[Math.Max(value.Length, 2 * _bytes.Length)];
            }

            value.CopyTo(_bytes);
            _length = value.Length;
        }
    }
}

/// <summary>How many values are true (BucketStatistics holds that one count, as ORC's readers take it).</summary>
internal sealed class BooleanStatistics : OrcStatistics
{
    private const int BucketStatisticsField = 5;
    private const int CountField = 1;

    private long _trueCount;

    public void Add(bool value)
    {
        Count++;
        _trueCount += value ? 1 : 0;
    }

    public override OrcStatistics CreateEmpty() => new BooleanStatistics();

    protected override void MergeValues(OrcStatistics other) => _trueCount += ((BooleanStatistics)other)._trueCount;

    protected override void WriteValues(ProtobufWriter message)
    {
        var bucket = new ProtobufWriter();
        bucket.WritePacked(CountField, [(ulong)_trueCount]);
        message.WriteMessage(BucketStatisticsField, bucket);
    }
}

/// <summary>
/// Minimum and maximum as UTC milliseconds since 1970, each with its nanoseconds within the millisecond; those are
/// stored plus one, and only when they differ from the defaults (0 for the minimum, 999,999 for the maximum).
/// </summary>
internal sealed class TimestampStatistics : OrcStatistics
{
    private const int TimestampStatisticsField = 9;
    private const int MinimumUtcField = 3;
    private const int MaximumUtcField = 4;
    private const int MinimumNanosecondsField = 5;
    private const int MaximumNanosecondsField = 6;
    private const int DefaultMaximumNanoseconds = 999_999;

    private long _minimumTicks = long.MaxValue;
    private long _maximumTicks = long.MinValue;

    /// <param name="unixTicks">100 ns ticks since 1970-01-01 UTC.</param>
    public void Add(long unixTicks)
    {
        Count++;
        _minimumTicks = Math.Min(_minimumTicks, unixTicks);
        _maximumTicks = Math.Max(_maximumTicks, unixTicks);
    }

    public override OrcStatistics CreateEmpty() => new TimestampStatistics();

    protected override void MergeValues(OrcStatistics other)
    {
        var timestamps = (TimestampStatistics)other;
        _minimumTicks = Math.Min(_minimumTicks, timestamps._minimumTicks);
        _maximumTicks = Math.Max(_maximumTicks, timestamps._maximumTicks);
    }

    protected override void WriteValues(ProtobufWriter message)
    {
        var timestamps = new ProtobufWriter();
        if (Count > 0)
        {
            var (minimumMilliseconds, minimumNanoseconds) = OrcTime.Milliseconds(_minimumTicks);
            var (maximumMilliseconds, maximumNanoseconds) = OrcTime.Milliseconds(_maximumTicks);
            timestamps.WriteSInt64(MinimumUtcField, minimumMilliseconds);
            timestamps.WriteSInt64(MaximumUtcField, maximumMilliseconds);
            if (minimumNanoseconds != 0)
            {
                timestamps.WriteUInt64(MinimumNanosecondsField, (ulong)(minimumNanoseconds + 1));
            }

            if (maximumNanoseconds != DefaultMaximumNanoseconds)
            {
                timestamps.WriteUInt64(MaximumNanosecondsField, (ulong)(maximumNanoseconds + 1));
            }
        }

        message.WriteMessage(TimestampStatisticsField, timestamps);
    }
}
