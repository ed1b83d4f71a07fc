using System.Globalization;
using Coffer.Common;

namespace Coffer.Protocol.Http;

/// <summary>
/// COS's <c>x-cos-traffic-limit</c> (header, or query parameter of a presigned URL): a rate in bit/s between 800 Kb/s and
/// 800 Mb/s. Coffer serves at the speed of its disk and does not throttle, but a value COS would refuse is refused too,
/// so a client's mistake shows here and not first in the cloud.
/// </summary>
public static class TrafficLimit
{
    public const long Min = 819_200;
    public const long Max = 838_860_800;

    public static void Check(string? value)
    {
        if (value is not null
            && !(long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bits) && bits is >= Min and <= Max))
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"x-cos-traffic-limit must be a number of bit/s from {Min} to {Max}.");
        }
    }
}
