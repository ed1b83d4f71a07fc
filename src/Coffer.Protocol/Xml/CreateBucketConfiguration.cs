using System.Xml.Linq;
using Coffer.Common;

namespace Coffer.Protocol.Xml;

/// <summary>
/// The optional body of PUT Bucket: COS's <c>BucketAZConfig</c> (MAZ or OAZ) and S3's <c>LocationConstraint</c>.
/// </summary>
public sealed record CreateBucketConfiguration(string? BucketAzConfig, string? LocationConstraint)
{
    public static CreateBucketConfiguration Read(XElement root)
    {
        if (root.Name != "CreateBucketConfiguration")
        {
            throw new CofferException(ErrorCode.MalformedXml, $"Expected CreateBucketConfiguration, found {root.Name}.");
        }

        var az = root.Element("BucketAZConfig")?.Value;
        if (az is not null && az != "MAZ" && az != "OAZ")
        {
            throw new CofferException(ErrorCode.InvalidArgument, "BucketAZConfig must be MAZ or OAZ.");
        }

        return new CreateBucketConfiguration(az, root.Element("LocationConstraint")?.Value);
    }
}
