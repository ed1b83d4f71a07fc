using System.Net;
using System.Text;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using Coffer.Testing;

namespace Coffer.Compat.Tests;

/// <summary>
/// Coffer's CofferReport element (incremental and diff reports) seen through the AWS SDK for .NET: a plain configuration
/// goes through PUT and GET unchanged and reads back with no Coffer element, and a configuration carrying the element
/// (PUT raw, as the SDK has no field for it) still parses, the SDK ignoring the element, while a raw GET still has it.
/// </summary>
public sealed class InventoryExtensionTests : S3TestBase
{
    private static readonly XNamespace S3Xml = "http://s3.amazonaws.com/doc/2006-03-01/";

    /// <summary>Every element S3's API reference allows in an InventoryConfiguration.</summary>
    private static readonly HashSet<string> S3Elements =
    [
        "InventoryConfiguration", "Destination", "S3BucketDestination", "AccountId", "Bucket", "Format", "Prefix", "Encryption",
        "SSE-S3", "SSE-KMS", "KeyId", "IsEnabled", "Filter", "Id", "IncludedObjectVersions", "OptionalFields", "Field", "Schedule", "Frequency",
    ];

    private readonly string _reports = TestServer.BucketName("extreports");

    private string ReportsArn => "arn:aws:s3:::" + _reports;

    [Fact]
    public async Task PutBucketInventoryConfiguration_OfAPlainConfiguration_ReadsBackUnchanged_WithNoCofferElement()
    {
        await S3.PutBucketAsync(_reports);
        var sent = new InventoryConfiguration
        {
            InventoryId = "plain",
            IsEnabled = true,
            InventoryFilter = new InventoryFilter { InventoryFilterPredicate = new InventoryPrefixPredicate("logs/") },
            IncludedObjectVersions = InventoryIncludedObjectVersions.All,
            InventoryOptionalFields = [InventoryOptionalField.Size, InventoryOptionalField.ETag, InventoryOptionalField.LastModifiedDate],
            Schedule = new InventorySchedule { Frequency = InventoryFrequency.Weekly },
            Destination = new InventoryDestination
            {
                S3BucketDestination = new InventoryS3BucketDestination
                {
                    AccountId = TestAccounts.Owner.Uin,
                    BucketName = ReportsArn,
                    Prefix = "inventory",
                    InventoryFormat = InventoryFormat.Parquet,
                    InventoryEncryption = new InventoryEncryption { SSES3 = new SSES3() },
                },
            },
        };

        await S3.PutBucketInventoryConfigurationAsync(new PutBucketInventoryConfigurationRequest
        {
            BucketName = Bucket,
            InventoryId = "plain",
            InventoryConfiguration = sent,
        });
        var got = (await S3.GetBucketInventoryConfigurationAsync(new GetBucketInventoryConfigurationRequest { BucketName = Bucket, InventoryId = "plain" }))
            .InventoryConfiguration;

        got.InventoryId.Should().Be("plain");
        got.IsEnabled.Should().BeTrue();
        (got.InventoryFilter?.InventoryFilterPredicate as InventoryPrefixPredicate)?.Prefix.Should().Be("logs/");
        got.IncludedObjectVersions.Value.Should().Be(InventoryIncludedObjectVersions.All.Value);
        got.InventoryOptionalFields.Select(f => f.Value).Should().Equal("Size", "ETag", "LastModifiedDate");
        got.Schedule.Frequency.Value.Should().Be(InventoryFrequency.Weekly.Value);
        var destination = got.Destination.S3BucketDestination;
        (destination.AccountId, destination.BucketName, destination.Prefix, destination.InventoryFormat.Value)
            .Should().Be((TestAccounts.Owner.Uin, ReportsArn, "inventory", InventoryFormat.Parquet.Value));
        destination.InventoryEncryption.SSES3.Should().NotBeNull();
        destination.InventoryEncryption.SSEKMS.Should().BeNull();

        var raw = await GetRawAsync("plain");
        raw.Descendants().Where(e => e.Name.Namespace != S3Xml || !S3Elements.Contains(e.Name.LocalName)).Select(e => e.Name.ToString())
            .Should().BeEmpty("a configuration without the extension reads back with S3's elements only");
    }

    [Fact]
    public async Task GetBucketInventoryConfiguration_OfAConfigurationWithCofferReport_ParsesTheRest_AndARawGetKeepsTheElement()
    {
        await S3.PutBucketAsync(_reports);
        var put = await SendSignedAsync(HttpMethod.Put, "inventory&id=live", Encoding.UTF8.GetBytes($"""
            <InventoryConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Destination><S3BucketDestination><Bucket>{ReportsArn}</Bucket><Format>CSV</Format><Prefix>live</Prefix></S3BucketDestination></Destination>
              <IsEnabled>true</IsEnabled>
              <Id>live</Id>
              <IncludedObjectVersions>Current</IncludedObjectVersions>
              <OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields>
              <Schedule><Frequency>Daily</Frequency></Schedule>
              <CofferReport><Type>Incremental</Type></CofferReport>
            </InventoryConfiguration>
            """));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());

        var got = (await S3.GetBucketInventoryConfigurationAsync(new GetBucketInventoryConfigurationRequest { BucketName = Bucket, InventoryId = "live" }))
            .InventoryConfiguration;
        var listed = await S3.ListBucketInventoryConfigurationsAsync(new ListBucketInventoryConfigurationsRequest { BucketName = Bucket });

        got.InventoryId.Should().Be("live");
        got.IncludedObjectVersions.Value.Should().Be(InventoryIncludedObjectVersions.Current.Value);
        got.InventoryOptionalFields.Select(f => f.Value).Should().Equal("Size", "ETag");
        got.Schedule.Frequency.Value.Should().Be(InventoryFrequency.Daily.Value);
        (got.Destination.S3BucketDestination.BucketName, got.Destination.S3BucketDestination.Prefix, got.Destination.S3BucketDestination.InventoryFormat.Value)
            .Should().Be((ReportsArn, "live", InventoryFormat.CSV.Value));
        listed.InventoryConfigurationList.Should().ContainSingle().Which.InventoryId.Should().Be("live");
        var report = (await GetRawAsync("live")).Element(S3Xml + "CofferReport");
        report.Should().NotBeNull();
        report!.Element(S3Xml + "Type")!.Value.Should().Be("Incremental");
    }

    private async Task<XElement> GetRawAsync(string id)
    {
        var response = await SendSignedAsync(HttpMethod.Get, "inventory&id=" + id);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
    }

    /// <summary>A path-style request to the bucket, signed with SigV4 as the AWS SDKs sign, for what the SDK cannot send.</summary>
    private async Task<HttpResponseMessage> SendSignedAsync(HttpMethod method, string query, byte[]? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(Server.BaseAddress, $"/{Bucket}?{query}"));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
        }

        S3RequestSigner.Sign(request, TestAccounts.Owner, DateTimeOffset.UtcNow, S3RequestSigner.Sha256(body ?? []));
        return await Server.SendRawAsync(request);
    }
}
