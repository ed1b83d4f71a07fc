using System.Text;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;

namespace Coffer.Protocol.Tests;

public class XmlDocumentWriterTests
{
    [Fact]
    public void Write_ErrorDocument_HasAllFiveElements()
    {
        var xml = Encoding.UTF8.GetString(XmlDocumentWriter.Write(new ErrorDocument("NoSuchKey", "m", "r", "req", "trace")));
        xml.Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>NoSuchKey</Code><Message>m</Message>" +
            "<Resource>r</Resource><RequestId>req</RequestId><TraceId>trace</TraceId></Error>");
    }

    [Fact]
    public void Write_ListBucketDocument_EncodesKeys_WhenEncodingTypeIsUrl()
    {
        var document = new ListBucketDocument("b-1", "dir/", "", 2, "/", "url", true, "dir/c d",
            ["dir/sub/"],
            [new ObjectEntry("dir/c d", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), "abc", 5, "1250000000", "STANDARD")]);
        var xml = Encoding.UTF8.GetString(XmlDocumentWriter.Write(document));
        xml.Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?><ListBucketResult><Name>b-1</Name><EncodingType>url</EncodingType>" +
            "<Prefix>dir/</Prefix><Marker></Marker><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>" +
            "<NextMarker>dir/c%20d</NextMarker><CommonPrefixes><Prefix>dir/sub/</Prefix></CommonPrefixes><Contents><Key>dir/c%20d</Key>" +
            "<LastModified>2023-11-14T22:13:20.123Z</LastModified><ETag>\"abc\"</ETag><Size>5</Size><Owner><ID>1250000000</ID>" +
            "<DisplayName>1250000000</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>");
    }

    [Fact]
    public void Write_ListAllMyBuckets_ListsEachBucket()
    {
        var document = new ListAllMyBucketsDocument("qcs::cam::uin/1:uin/1", "1",
            [new BucketEntry("a-1", "ap-guangzhou", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000))]);
        var xml = Encoding.UTF8.GetString(XmlDocumentWriter.Write(document));
        xml.Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?><ListAllMyBucketsResult><Owner><ID>qcs::cam::uin/1:uin/1</ID>" +
            "<DisplayName>1</DisplayName></Owner><Buckets><Bucket><Name>a-1</Name><Location>ap-guangzhou</Location>" +
            "<CreationDate>2023-11-14T22:13:20.000Z</CreationDate><BucketType>cos</BucketType></Bucket></Buckets></ListAllMyBucketsResult>");
    }

    [Fact]
    public void Write_ListAllMyBuckets_GivesEachBucketsRegion_InS3()
    {
        var document = new ListAllMyBucketsDocument("1", "1", [new BucketEntry("a-1", "us-east-1", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000))]);
        var xml = Encoding.UTF8.GetString(XmlDocumentWriter.Write(document, Dialect.S3));
        xml.Should().Contain("<Bucket><Name>a-1</Name><CreationDate>2023-11-14T22:13:20.000Z</CreationDate><BucketRegion>us-east-1</BucketRegion></Bucket>");
    }
}
