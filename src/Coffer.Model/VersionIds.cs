using System.Text;

namespace Coffer.Model;

/// <summary>
/// Opaque version ids in the style COS shows (base64 of a decimal). The decimal counts down with time, so ids
/// written later compare lower, which keeps ids unique per key without coordination beyond the clock and a counter.
/// </summary>
internal static class VersionIds
{
    /// <summary>
    /// "null", or what <see cref="New"/> produces: unpadded base64 of a decimal. Anything else cannot name a version and
    /// is InvalidArgument, as S3 answers, rather than a version that merely does not exist.
    /// </summary>
    public static void Validate(string versionId)
    {
        if (versionId != Storage.Records.ObjectVersionRecord.NullVersionId && !IsWellFormed(versionId))
        {
            throw new Common.CofferException(Common.ErrorCode.InvalidArgument, "Invalid version id specified.");
        }
    }

    private static long _counter;

    public static string New(DateTimeOffset now)
    {
        var sequence = Interlocked.Increment(ref _counter) % 1000;
        var value = (ulong)(long.MaxValue - (now.ToUnixTimeMilliseconds() * 1000) - sequence);
        return Convert.ToBase64String(Encoding.ASCII.GetBytes(value.ToString())).TrimEnd('=');
    }

    private static bool IsWellFormed(string versionId)
    {
        // A ulong has at most 20 digits, which base64 writes in 27 characters once the padding is trimmed.
        if (versionId.Length is 0 or > 27)
        {
            return false;
        }

        Span<byte> digits = stackalloc byte[20];
        var padded = versionId.PadRight(versionId.Length + ((4 - (versionId.Length % 4)) % 4), '=');
        return Convert.TryFromBase64String(padded, digits, out var written) && written > 0
            && ((ReadOnlySpan<byte>)digits[..written]).IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }
}
