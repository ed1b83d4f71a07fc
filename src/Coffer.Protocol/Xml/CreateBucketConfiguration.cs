using System.Xml.Linq;
using Coffer.Common;

namespace Coffer.Protocol.Xml;

/// <summary>
/// The optional body of PUT Bucket: COS's <c>BucketAZConfig</c> (MAZ or OAZ) and S3's <c>LocationConstraint</c>.
/// </summary>
public sealed record CreateBucketConfiguration(string? BucketAzConfig, string? LocationConstraint)
{
    /// <summary>
    /// The region the bucket is made in: S3's legacy constraint <c>EU</c> names eu-west-1, which is the region a client
    /// then signs for (s3cmd's <c>--bucket-location=EU</c>, the AWS SDKs' enum value); any other value is the region
    /// itself.
    /// </summary>
    public string? Region => LocationConstraint == "EU" ? "eu-west-1" : LocationConstraint;

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
