using Coffer.Common;

namespace Coffer.Inventory.Reports.Orc;

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

    private string? _minimum;
    private string? _maximum;
    private long _sum;

    public void Add(string value, int utf8Length)
    {
        Count++;
        _sum += utf8Length;
        Extend(value, value);
    }

    public override OrcStatistics CreateEmpty() => new StringStatistics();

    protected override void MergeValues(OrcStatistics other)
    {
        var strings = (StringStatistics)other;
        _sum += strings._sum;
        if (strings._minimum is not null)
        {
            Extend(strings._minimum, strings._maximum!);
        }
    }

    protected override void WriteValues(ProtobufWriter message)
    {
        var strings = new ProtobufWriter();
        if (_minimum is not null)
        {
            strings.WriteString(MinimumField, _minimum);
            strings.WriteString(MaximumField, _maximum!);
        }

        strings.WriteSInt64(SumField, _sum);
        message.WriteMessage(StringStatisticsField, strings);
    }

    private void Extend(string low, string high)
    {
        // Rows repeat the same instance often (bucket, storage class): no comparison needed then.
        if (_minimum is null)
        {
            _minimum = low;
            _maximum = high;
            return;
        }

        if (!ReferenceEquals(low, _minimum) && ObjectKey.CompareUtf8(low, _minimum) < 0)
        {
            _minimum = low;
        }

        if (!ReferenceEquals(high, _maximum) && ObjectKey.CompareUtf8(high, _maximum!) > 0)
        {
            _maximum = high;
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
