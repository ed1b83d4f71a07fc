using System.Text;
using System.Xml.Linq;
using Coffer.Common;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;

namespace Coffer.Protocol.Tests.Inventory;

public class InventoryXmlTests
{
    [Fact]
    public async Task Read_TakesEveryElementOfTheDocumentedPutExample()
    {
        var document = await ReadAsync(InventoryExamples.DocumentedPut);
        document.Id.Should().Be("list1");
        document.IsEnabled.Should().Be("true");
        document.IncludedObjectVersions.Should().Be("All");
        document.Filter.Should().BeEquivalentTo(new InventoryFilterDocument(true, "myPrefix", [new("age", "18")], null,
            new InventoryPeriodDocument("1568688761", "1568688762")));
        document.OptionalFields.Should().Equal("Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded",
            "ReplicationStatus", "Tag", "Crc64", "x-cos-meta-myheader");
        document.Schedule.Should().Be(new InventoryScheduleDocument("Daily", null));
        document.Destination.Should().Be(new InventoryDestinationDocument(false, "qcs::cos:ap-guangzhou::examplebucket-1250000000",
            "100000000001", "list1", "CSV", "SSE-COS", null));
    }

    [Fact]
    public async Task Write_TheDocumentedPutExample_Canonically()
    {
        var written = Encoding.UTF8.GetString(XmlDocumentWriter.Write(await ReadAsync(InventoryExamples.DocumentedPut), Dialect.Cos));
        written.Should().Be(InventoryExamples.DocumentedPutCanonical);
    }

    [Theory]
    [InlineData(nameof(InventoryExamples.DocumentedPut))]
    [InlineData(nameof(InventoryExamples.SeedPostSyntax))]
    [InlineData(nameof(InventoryExamples.SeedPostSyntaxWithCrc64))]
    [InlineData(nameof(InventoryExamples.SeedPost))]
    [InlineData(nameof(InventoryExamples.SeedGet))]
    [InlineData(nameof(InventoryExamples.NodeSdkPut))]
    [InlineData(nameof(InventoryExamples.PythonSdkPut))]
    [InlineData(nameof(InventoryExamples.GoSdkPut))]
    public async Task RoundTrip_KeepsEveryValueAndShape_OfEachCosExample(string example)
    {
        var first = await ReadAsync(Example(example));
        var second = await ReadAsync(Encoding.UTF8.GetString(XmlDocumentWriter.Write(first, Dialect.Cos)));
        second.Should().BeEquivalentTo(first with
        {
            // SSECOS is read as what it means and always written as SSE-COS.
            Destination = first.Destination! with { Encryption = first.Destination!.Encryption is null ? null : "SSE-COS" },
        }, options => options.WithStrictOrdering());
    }

    [Fact]
    public async Task Read_TakesSeed001sSyntax_WithCrc64AndTheLiteralMetaWildcardField()
    {
        var document = await ReadAsync(InventoryExamples.SeedPostSyntaxWithCrc64);
        document.Id.Should().Be("inventory-id");
        document.IsEnabled.Should().BeNull();
        document.Schedule.Should().BeNull();
        document.Filter.Should().BeEquivalentTo(new InventoryFilterDocument(true, "myPrefix", [new("string", "string")], null, null));
        document.OptionalFields.Should().Equal("Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded",
            "ReplicationStatus", "Tag", "Crc64", "x-cos-meta-*");
        document.Destination.Should().Be(new InventoryDestinationDocument(false, "qcs::cos:ap-guangzhou::examplebucket-1250000000",
            "100000000001", "cos_bucket_inventory", "CSV", "SSE-COS", null));
    }

    [Fact]
    public async Task Read_AcceptsTheSeedsMalformedDeclarationAndPlaceholderNamespace()
    {
        var document = await ReadAsync(InventoryExamples.SeedPost);
        document.Id.Should().Be("disposable");
        document.IsEnabled.Should().BeNull();
        document.Schedule.Should().BeNull();
        document.Filter!.UsesAnd.Should().BeTrue();
        document.Destination!.Bucket.Should().Be("qcs::cos:ap-guangzhou::inventorybucket-1250000000");
    }

    [Fact]
    public async Task Read_TakesPythonsSsecosAlias_AndIdWrittenLast()
    {
        var document = await ReadAsync(InventoryExamples.PythonSdkPut);
        document.Id.Should().Be("list1");
        document.Destination!.Encryption.Should().Be("SSECOS");
        Encoding.UTF8.GetString(XmlDocumentWriter.Write(document, Dialect.Cos)).Should().Contain("<Encryption><SSE-COS></SSE-COS></Encryption>");
    }

    [Fact]
    public async Task Write_EchoesTheFilterShape_AndIsEnabledVerbatim()
    {
        var go = Encoding.UTF8.GetString(XmlDocumentWriter.Write(await ReadAsync(InventoryExamples.GoSdkPut), Dialect.Cos));
        go.Should().Contain("<IsEnabled>True</IsEnabled>")
            .And.Contain("<Filter><And><Prefix>logs/</Prefix><StorageClass>STANDARD_IA</StorageClass></And></Filter>")
            .And.Contain("<Schedule><Frequency>Monthly</Frequency><MonthlyDate>15</MonthlyDate></Schedule>")
            .And.Contain("<OptionalFields></OptionalFields>");
        var node = Encoding.UTF8.GetString(XmlDocumentWriter.Write(await ReadAsync(InventoryExamples.NodeSdkPut), Dialect.Cos));
        node.Should().Contain("<Filter><Prefix>myPrefix</Prefix></Filter>").And.NotContain("<And>");
    }

    [Fact]
    public async Task Write_AlwaysIncludesOptionalFields_EvenWhenNoneWereSent()
    {
        var document = await ReadAsync(InventoryExamples.NodeSdkPut) with { OptionalFields = null };
        Encoding.UTF8.GetString(XmlDocumentWriter.Write(document, Dialect.Cos)).Should().Contain("<OptionalFields></OptionalFields>");
    }

    [Fact]
    public async Task Read_TakesTheAwsExample_AndWritesItBackInS3Shape()
    {
        var document = await ReadAsync(InventoryExamples.AwsPut);
        document.Destination.Should().Be(new InventoryDestinationDocument(true, "arn:aws:s3:::destination-bucket", "123456789012", "prefix1",
            "CSV", "SSE-KMS", "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
        document.OptionalFields.Should().HaveCount(10);

        var root = XDocument.Parse(Encoding.UTF8.GetString(XmlDocumentWriter.Write(document, Dialect.S3))).Root!;
        XNamespace s3 = XmlDocumentWriter.S3Namespace;
        root.Name.Should().Be(s3 + "InventoryConfiguration");
        root.Elements().Select(e => e.Name.LocalName).Should().Equal(
            "Destination", "IsEnabled", "Filter", "Id", "IncludedObjectVersions", "OptionalFields", "Schedule");
        root.Element(s3 + "Destination")!.Element(s3 + "S3BucketDestination")!.Element(s3 + "Encryption")!
            .Element(s3 + "SSE-KMS")!.Element(s3 + "KeyId")!.Value.Should().StartWith("arn:aws:kms:");
    }

    [Fact]
    public void Write_ListsInCosShape_WithLowerCaseIsTruncatedAndTokens()
    {
        var list = new InventoryListDocument([], true, "abc", "def");
        Encoding.UTF8.GetString(XmlDocumentWriter.Write(list, Dialect.Cos)).Should().Be(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><ListInventoryConfigurationResult><IsTruncated>true</IsTruncated>" +
            "<ContinuationToken>abc</ContinuationToken><NextContinuationToken>def</NextContinuationToken></ListInventoryConfigurationResult>");
        Encoding.UTF8.GetString(XmlDocumentWriter.Write(new InventoryListDocument([], false, null, null), Dialect.Cos))
            .Should().EndWith("<ListInventoryConfigurationResult><IsTruncated>false</IsTruncated></ListInventoryConfigurationResult>");
    }

    [Fact]
    public void WritePostInventoryResult_WrapsTheJobId()
    {
        Encoding.UTF8.GetString(XmlDocumentWriter.WritePostInventoryResult("Dgesgeqzd0dd")).Should().Be(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><PostInventoryResult><JobId>Dgesgeqzd0dd</JobId></PostInventoryResult>");
    }

    [Theory]
    [InlineData("<Inventory><Id>x</Id></Inventory>")]
    [InlineData("<InventoryConfiguration><Id>x</Id>")]
    [InlineData("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><InventoryConfiguration><Id>&e;</Id></InventoryConfiguration>")]
    public async Task Read_RefusesWhatIsNotAnInventoryConfiguration(string xml)
    {
        var act = () => ReadAsync(xml);
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.MalformedXml);
    }

    private static string Example(string name) =>
        (string)typeof(InventoryExamples).GetField(name, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)!.GetValue(null)!;

    private static async Task<InventoryDocument> ReadAsync(string xml) =>
        InventoryXml.Read((await SafeXml.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(xml)), 64 * 1024, default))!);
}
