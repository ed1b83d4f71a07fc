namespace Coffer.Reports.Csv;

/// <summary>
/// Writes timestamps as <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>. Consecutive rows of a report are often in the same second or
/// day, so the <c>yyyy-MM-ddTHH:mm:ss</c> prefix of the last second written is kept and copied while the second
/// stays, and the date of the last day while the day stays: only a new day takes a calendar computation.
/// </summary>
internal sealed class Iso8601Formatter
{
    public const int Length = 24;

    private const int PrefixLength = 19;
    private const long UnixEpochTicks = 621_355_968_000_000_000;

    private readonly byte[] _prefix = new byte[PrefixLength];
    private long _second = -1;
    private long _day = -1;

    /// <summary>Writes <paramref name="unixTicks"/> (100 ns ticks since 1970-01-01 UTC) into the first <see cref="Length"/> bytes of <paramref name="output"/>.</summary>
    public void Write(long unixTicks, Span<byte> output)
    {
        var ticks = UnixEpochTicks + unixTicks;
        if ((ulong)ticks > (ulong)DateTime.MaxValue.Ticks)
        {
            throw new ArgumentOutOfRangeException(nameof(unixTicks), unixTicks, "The instant is outside the years 0001-9999.");
        }

        var second = ticks / TimeSpan.TicksPerSecond;
        if (second != _second)
        {
            NewSecond(second);
        }

        _prefix.CopyTo(output);
        output[19] = (byte)'.';
        var millisecond = (int)(ticks / TimeSpan.TicksPerMillisecond % 1000);
        output[20] = (byte)('0' + (millisecond / 100));
        output[21] = (byte)('0' + (millisecond / 10 % 10));
        output[22] = (byte)('0' + (millisecond % 10));
        output[23] = (byte)'Z';
    }

    private void NewSecond(long second)
    {
        _second = second;
        var day = second / 86_400;
        if (day != _day)
        {
            _day = day;
            var date = new DateTime(day * TimeSpan.TicksPerDay, DateTimeKind.Utc);
            Digits(_prefix.AsSpan(0, 4), date.Year);
            _prefix[4] = (byte)'-';
            Digits(_prefix.AsSpan(5, 2), date.Month);
            _prefix[7] = (byte)'-';
            Digits(_prefix.AsSpan(8, 2), date.Day);
            _prefix[10] = (byte)'T';
            _prefix[13] = (byte)':';
            _prefix[16] = (byte)':';
        }

        var secondOfDay = (int)(second - (day * 86_400));
        Digits(_prefix.AsSpan(11, 2), secondOfDay / 3600);
        Digits(_prefix.AsSpan(14, 2), secondOfDay / 60 % 60);
        Digits(_prefix.AsSpan(17, 2), secondOfDay % 60);
    }

    private static void Digits(Span<byte> output, int value)
    {
        for (var i = output.Length - 1; i >= 0; i--)
        {
            output[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}
