using System.Text;

namespace Coffer.Model;

/// <summary>
/// Opaque version ids in the style COS shows (base64 of a decimal). The decimal counts down with time, so ids
/// written later compare lower, which keeps ids unique per key without coordination beyond the clock and a counter.
/// </summary>
internal static class VersionIds
{
    /// <summary>"null", or what <see cref="New"/> produces (base64 text); anything else cannot name a version.</summary>
    public static void Validate(string versionId)
    {
        if (versionId != Storage.Records.ObjectVersionRecord.NullVersionId
            && (versionId.Length is 0 or > 64 || !versionId.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '-' or '_')))
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
}
