namespace Coffer.Reports.Orc;

/// <summary>How ORC stores timestamps: seconds since its 2015 epoch in the writer's time zone (UTC here) and nanoseconds.</summary>
internal static class OrcTime
{
    public const string WriterTimezone = "UTC";

    private const long TicksPerSecond = TimeSpan.TicksPerSecond;
    private const long TicksPerMillisecond = TimeSpan.TicksPerMillisecond;
    private const int NanosecondsPerTick = 100;
    private const int NanosecondsPerMillisecond = 1_000_000;

    /// <summary>2015-01-01 00:00:00 UTC in seconds since 1970.</summary>
    private const long OrcEpochUnixSeconds = 1_420_070_400;

    /// <summary>The DATA and SECONDARY values of a timestamp given in 100 ns ticks since 1970.</summary>
    public static (long Seconds, long EncodedNanoseconds) Encode(long unixTicks)
    {
        var seconds = FloorDivide(unixTicks, TicksPerSecond);
        var nanoseconds = (unixTicks - (seconds * TicksPerSecond)) * NanosecondsPerTick;

        // ORC's readers take one second off a time before 1970 with at least a millisecond of fraction, so its
        // writers round such seconds towards zero; doing the same keeps those values right.
        if (seconds < 0 && nanoseconds >= NanosecondsPerMillisecond)
        {
            seconds++;
        }

        return (seconds - OrcEpochUnixSeconds, EncodeNanoseconds(nanoseconds));
    }

    /// <summary>
    /// Nanoseconds with their trailing decimal zeros cut: when there are at least two, the value is divided by ten for
    /// each (up to eight) and the low three bits hold the count less one; otherwise they are 0.
    /// </summary>
    public static long EncodeNanoseconds(long nanoseconds)
    {
        if (nanoseconds == 0 || nanoseconds % 100 != 0)
        {
            return nanoseconds << 3;
        }

        var zeros = 2;
        nanoseconds /= 100;
        while (zeros < 8 && nanoseconds % 10 == 0)
        {
            nanoseconds /= 10;
            zeros++;
        }

        return (nanoseconds << 3) | (long)(zeros - 1);
    }

    /// <summary>Milliseconds since 1970 and the nanoseconds within that millisecond, as statistics store them.</summary>
    public static (long Milliseconds, int Nanoseconds) Milliseconds(long unixTicks)
    {
        var milliseconds = FloorDivide(unixTicks, TicksPerMillisecond);
        return (milliseconds, (int)(unixTicks - (milliseconds * TicksPerMillisecond)) * NanosecondsPerTick);
    }

    private static long FloorDivide(long value, long divisor)
    {
        var quotient = value / divisor;
        return value % divisor < 0 ? quotient - 1 : quotient;
    }
}
