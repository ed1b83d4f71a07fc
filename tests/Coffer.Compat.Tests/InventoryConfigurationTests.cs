using System.Net;
using System.Text;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Compat.Tests;

/// <summary>
/// S3 bucket inventory configurations (PUT / GET / DELETE / List) as the AWS SDK for .NET sends and reads them, and a
/// configuration seen from the dialect it was not created in.
/// </summary>
public sealed class InventoryConfigurationTests : S3TestBase
{
    /// <summary>Every optional field S3 documents, in the order its API reference lists them.</summary>
    private static readonly InventoryOptionalField[] AllOptionalFields =
    [
        InventoryOptionalField.Size, InventoryOptionalField.LastModifiedDate, InventoryOptionalField.StorageClass, InventoryOptionalField.ETag,
        InventoryOptionalField.IsMultipartUploaded, InventoryOptionalField.ReplicationStatus, InventoryOptionalField.EncryptionStatus,
        InventoryOptionalField.ObjectLockRetainUntilDate, InventoryOptionalField.ObjectLockMode, InventoryOptionalField.ObjectLockLegalHoldStatus,
        InventoryOptionalField.IntelligentTieringAccessTier, InventoryOptionalField.BucketKeyStatus, InventoryOptionalField.ChecksumAlgorithm,
        InventoryOptionalField.ObjectAccessControlList, InventoryOptionalField.ObjectOwner, InventoryOptionalField.LifecycleExpirationDate,
    ];

    private const string KmsKeyId = "arn:aws:kms:ap-guangzhou:100000000001:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private const string Declaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";

    private readonly string _reports = TestServer.BucketName("reports");

    private string ReportsArn => "arn:aws:s3:::" + _reports;

    [Fact]
    public async Task GetBucketInventoryConfiguration_ReturnsWhatPutSent_WithEveryOptionalFieldParquetAndSseKms()
    {
        await CreateReportsBucketAsync();
        var sent = new InventoryConfiguration
        {
            InventoryId = "full-report",
            IsEnabled = true,
            InventoryFilter = new InventoryFilter { InventoryFilterPredicate = new InventoryPrefixPredicate("logs/2025/") },
            IncludedObjectVersions = InventoryIncludedObjectVersions.All,
            InventoryOptionalFields = [.. AllOptionalFields],
            Schedule = new InventorySchedule { Frequency = InventoryFrequency.Weekly },
            Destination = Destination(InventoryFormat.Parquet, accountId: TestAccounts.Owner.Uin, prefix: "inventory/full",
                encryption: new InventoryEncryption { SSEKMS = new SSEKMS { KeyId = KmsKeyId } }),
        };

        await PutConfigurationAsync(sent);

        ShouldMatch(await GetConfigurationAsync("full-report"), sent);
    }

    [Fact]
    public async Task GetBucketInventoryConfiguration_ReturnsWhatPutSent_WithOrcSseS3CurrentDailyAndNoFilter()
    {
        await CreateReportsBucketAsync();
        var sent = new InventoryConfiguration
        {
            InventoryId = "orc-daily",
            IsEnabled = false,
            IncludedObjectVersions = InventoryIncludedObjectVersions.Current,
            InventoryOptionalFields = [InventoryOptionalField.Size, InventoryOptionalField.ETag],
            Schedule = new InventorySchedule { Frequency = InventoryFrequency.Daily },
            Destination = Destination(InventoryFormat.ORC, prefix: "orc", encryption: new InventoryEncryption { SSES3 = new SSES3() }),
        };

        await PutConfigurationAsync(sent);

        ShouldMatch(await GetConfigurationAsync("orc-daily"), sent);
    }

    [Fact]
    public async Task GetBucketInventoryConfiguration_ReturnsWhatPutSent_WithCsvAndNoEncryption()
    {
        await CreateReportsBucketAsync();
        var sent = Minimal("csv-plain");
        sent.InventoryOptionalFields = [InventoryOptionalField.StorageClass, InventoryOptionalField.LastModifiedDate];

        await PutConfigurationAsync(sent);

        ShouldMatch(await GetConfigurationAsync("csv-plain"), sent);
    }

    [Fact]
    public async Task ListBucketInventoryConfigurations_PagesByHundredInCreationOrder_WithAContinuationToken()
    {
        await CreateReportsBucketAsync();
        // Created interleaved (inv-000, inv-007, inv-014, ...), so creation order is not the ids' sort order.
        var created = Enumerable.Range(0, 150).Select(i => $"inv-{i * 7 % 150:000}").ToArray();
        created.Should().OnlyHaveUniqueItems().And.HaveCount(150);
        foreach (var id in created)
        {
            await PutConfigurationAsync(Minimal(id));
        }

        var first = await S3.ListBucketInventoryConfigurationsAsync(new ListBucketInventoryConfigurationsRequest { BucketName = Bucket });
        var second = await S3.ListBucketInventoryConfigurationsAsync(new ListBucketInventoryConfigurationsRequest
        {
            BucketName = Bucket,
            ContinuationToken = first.NextToken,
        });

        first.InventoryConfigurationList.Select(c => c.InventoryId).Should().Equal(created.Take(100));
        first.IsTruncated.Should().BeTrue();
        first.Token.Should().BeNull();
        first.NextToken.Should().NotBeNullOrEmpty();
        second.InventoryConfigurationList.Select(c => c.InventoryId).Should().Equal(created.Skip(100));
        second.IsTruncated.Should().BeFalse();
        second.Token.Should().Be(first.NextToken);
        second.NextToken.Should().BeNull();
    }

    [Fact]
    public async Task ListBucketInventoryConfigurations_ReturnsWholeConfigurations()
    {
        await CreateReportsBucketAsync();
        var sent = Minimal("listed");
        sent.InventoryFilter = new InventoryFilter { InventoryFilterPredicate = new InventoryPrefixPredicate("photos/") };
        sent.InventoryOptionalFields = [.. AllOptionalFields];
        sent.Destination = Destination(InventoryFormat.Parquet, accountId: TestAccounts.Owner.Uin, prefix: "lists",
            encryption: new InventoryEncryption { SSEKMS = new SSEKMS { KeyId = KmsKeyId } });
        await PutConfigurationAsync(sent);

        var list = await S3.ListBucketInventoryConfigurationsAsync(new ListBucketInventoryConfigurationsRequest { BucketName = Bucket });

        ShouldMatch(list.InventoryConfigurationList.Should().ContainSingle().Which, sent);
        list.IsTruncated.Should().BeFalse();
        list.NextToken.Should().BeNull();
    }

    [Fact]
    public async Task ListBucketInventoryConfigurations_ReturnsNothing_ForABucketWithoutConfigurations()
    {
        var list = await S3.ListBucketInventoryConfigurationsAsync(new ListBucketInventoryConfigurationsRequest { BucketName = Bucket });

        list.HttpStatusCode.Should().Be(HttpStatusCode.OK);
        list.InventoryConfigurationList.Should().BeNullOrEmpty();
        list.IsTruncated.Should().BeFalse();
        list.NextToken.Should().BeNull();
    }

    [Fact]
    public async Task ListBucketInventoryConfigurations_FailsWithInvalidArgument_ForAForgedContinuationToken()
    {
        await CreateReportsBucketAsync();
        await PutConfigurationAsync(Minimal("only"));

        await ShouldFailAsync(() => S3.ListBucketInventoryConfigurationsAsync(new ListBucketInventoryConfigurationsRequest
        {
            BucketName = Bucket,
            ContinuationToken = "not-a-token",
        }), HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Theory]
    [InlineData("IntelligentTieringReferenceDate")]
    [InlineData("ObjectLockEventHoldDuration")]
    [InlineData("ObjectLockEventHoldStatus")]
    public async Task PutBucketInventoryConfiguration_AnswersNotImplemented_ForAnOptionalFieldS3HasAndCofferDoesNotReport(string field)
    {
        await CreateReportsBucketAsync();
        var configuration = Minimal("newer");
        configuration.InventoryOptionalFields = [InventoryOptionalField.Size, new InventoryOptionalField(field)];

        await ShouldFailAsync(() => PutConfigurationAsync(configuration), HttpStatusCode.NotImplemented, "NotImplemented");
        await ShouldBeMissingAsync("newer");
    }

    [Fact]
    public async Task PutBucketInventoryConfiguration_ReplacesTheConfiguration_WhenTheIdExists()
    {
        await CreateReportsBucketAsync();
        await PutConfigurationAsync(Minimal("nightly"));
        var replacement = new InventoryConfiguration
        {
            InventoryId = "nightly",
            IsEnabled = false,
            InventoryFilter = new InventoryFilter { InventoryFilterPredicate = new InventoryPrefixPredicate("new/") },
            IncludedObjectVersions = InventoryIncludedObjectVersions.All,
            InventoryOptionalFields = [InventoryOptionalField.ObjectOwner],
            Schedule = new InventorySchedule { Frequency = InventoryFrequency.Weekly },
            Destination = Destination(InventoryFormat.ORC, prefix: "replaced", encryption: new InventoryEncryption { SSES3 = new SSES3() }),
        };

        await PutConfigurationAsync(replacement);

        ShouldMatch(await GetConfigurationAsync("nightly"), replacement);
        var list = await S3.ListBucketInventoryConfigurationsAsync(new ListBucketInventoryConfigurationsRequest { BucketName = Bucket });
        list.InventoryConfigurationList.Select(c => c.InventoryId).Should().Equal("nightly");
    }

    [Fact]
    public async Task DeleteBucketInventoryConfiguration_RemovesTheConfiguration_SoGetFailsWithNoSuchConfiguration()
    {
        await CreateReportsBucketAsync();
        await PutConfigurationAsync(Minimal("doomed"));
        await PutConfigurationAsync(Minimal("kept"));

        var delete = await S3.DeleteBucketInventoryConfigurationAsync(new DeleteBucketInventoryConfigurationRequest
        {
            BucketName = Bucket,
            InventoryId = "doomed",
        });

        delete.HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        await ShouldBeMissingAsync("doomed");
        (await GetConfigurationAsync("kept")).InventoryId.Should().Be("kept");
    }

    [Fact]
    public async Task DeleteBucketInventoryConfiguration_FailsWithNoSuchConfiguration_ForAnUnknownId()
    {
        await ShouldFailAsync(() => S3.DeleteBucketInventoryConfigurationAsync(new DeleteBucketInventoryConfigurationRequest
        {
            BucketName = Bucket,
            InventoryId = "never-created",
        }), HttpStatusCode.NotFound, "NoSuchConfiguration");
    }

    [Fact]
    public async Task GetBucketInventoryConfiguration_AnswersNoSuchConfiguration404_ForAnUnknownId()
    {
        await ShouldBeMissingAsync("never-created");
    }

    [Fact]
    public async Task PutBucketInventoryConfiguration_AcceptsARawSignedBody_WhoseIdMatchesTheRequest()
    {
        await CreateReportsBucketAsync();

        var response = await SendSignedAsync(HttpMethod.Put, "inventory&id=raw", RawConfiguration("raw"));

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var stored = await GetConfigurationAsync("raw");
        stored.Destination.S3BucketDestination.BucketName.Should().Be(ReportsArn);
        stored.Schedule.Frequency.Value.Should().Be("Daily");
    }

    [Fact]
    public async Task PutBucketInventoryConfiguration_FailsWithInvalidArgument_WhenTheBodyIdDiffersFromTheRequestId()
    {
        await CreateReportsBucketAsync();

        var response = await SendSignedAsync(HttpMethod.Put, "inventory&id=in-query", RawConfiguration("in-body"));

        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        await ShouldBeMissingAsync("in-query");
        await ShouldBeMissingAsync("in-body");
    }

    [Fact]
    public async Task PutBucketInventoryConfiguration_FailsWithMalformedXml_WhenIncludedObjectVersionsIsMissing()
    {
        await CreateReportsBucketAsync();
        var body = XDocument.Parse(Encoding.UTF8.GetString(RawConfiguration("partial")));
        body.Root!.Elements().Single(e => e.Name.LocalName == "IncludedObjectVersions").Remove();

        var response = await SendSignedAsync(HttpMethod.Put, "inventory&id=partial", Encoding.UTF8.GetBytes(body.ToString()));

        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedXML", Dialect.S3);
        await ShouldBeMissingAsync("partial");
    }

    [Fact]
    public async Task PutBucketInventoryConfiguration_FailsWithInvalidS3DestinationBucket_WhenTheDestinationDoesNotExist()
    {
        var sent = Minimal("orphan");

        await ShouldFailAsync(() => PutConfigurationAsync(sent), HttpStatusCode.BadRequest, "InvalidS3DestinationBucket");
        await ShouldBeMissingAsync("orphan");
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("slash/in-id")]
    [InlineData("star*")]
    [InlineData("ünicode")]
    public async Task PutBucketInventoryConfiguration_FailsWithInvalidArgument_ForAnIdWithInvalidCharacters(string id)
    {
        await CreateReportsBucketAsync();

        await ShouldFailAsync(() => PutConfigurationAsync(Minimal(id)), HttpStatusCode.BadRequest, "InvalidArgument");
        (await S3.ListBucketInventoryConfigurationsAsync(new ListBucketInventoryConfigurationsRequest { BucketName = Bucket }))
            .InventoryConfigurationList.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task PutBucketInventoryConfiguration_FailsWithInvalidArgument_ForAnIdOf65Characters()
    {
        await CreateReportsBucketAsync();

        await ShouldFailAsync(() => PutConfigurationAsync(Minimal(new string('a', 65))), HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task PutBucketInventoryConfiguration_AcceptsAnIdOf64LettersDigitsDashesUnderscoresAndDots()
    {
        await CreateReportsBucketAsync();
        var id = "Az09-_." + new string('x', 57);
        id.Should().HaveLength(64);

        await PutConfigurationAsync(Minimal(id));

        (await GetConfigurationAsync(id)).InventoryId.Should().Be(id);
    }

    [Fact]
    public async Task PutBucketInventoryConfiguration_FailsWithTooManyConfigurations_ForThe1001stConfiguration()
    {
        await CreateReportsBucketAsync();
        await PutManyAsync(1000);

        await ShouldFailAsync(() => PutConfigurationAsync(Minimal("inv-1000")), HttpStatusCode.BadRequest, "TooManyConfigurations");
        await ShouldBeMissingAsync("inv-1000");
    }

    [Fact]
    public async Task PutBucketInventoryConfiguration_ReplacesAnExistingId_WhenTheBucketHas1000Configurations()
    {
        await CreateReportsBucketAsync();
        await PutManyAsync(1000);
        var replacement = Minimal("inv-0500");
        replacement.Schedule = new InventorySchedule { Frequency = InventoryFrequency.Weekly };

        await PutConfigurationAsync(replacement);

        ShouldMatch(await GetConfigurationAsync("inv-0500"), replacement);
    }

    [Fact]
    public async Task GetBucketInventoryConfiguration_ShowsACosConfigurationInS3Terms_AndLeavesItStoredAsCos()
    {
        await CreateReportsBucketAsync();
        // In the order Coffer writes COS documents, so that reading it back canonically gives these very bytes.
        var cos = "<InventoryConfiguration><Id>from-cos</Id><IsEnabled>true</IsEnabled><Destination><COSBucketDestination>" +
            $"<Format>ORC</Format><AccountId>{TestAccounts.Owner.Uin}</AccountId><Bucket>qcs::cos:{TestServer.Region}::{_reports}</Bucket>" +
            "<Prefix>cos</Prefix><Encryption><SSE-COS></SSE-COS></Encryption></COSBucketDestination></Destination>" +
            "<Schedule><Frequency>Weekly</Frequency></Schedule><Filter><And><Prefix>logs/</Prefix><Tag><Key>team</Key><Value>data</Value></Tag></And>" +
            "<Period><StartTime>1568688761</StartTime></Period></Filter><IncludedObjectVersions>All</IncludedObjectVersions>" +
            "<OptionalFields><Field>Size</Field><Field>Tag</Field><Field>Crc64</Field><Field>x-cos-meta-owner</Field><Field>ETag</Field>" +
            "</OptionalFields></InventoryConfiguration>";
        (await PutCosAsync("from-cos", cos)).StatusCode.Should().Be(HttpStatusCode.OK);

        var seen = await GetConfigurationAsync("from-cos");

        ShouldMatch(seen, new InventoryConfiguration
        {
            InventoryId = "from-cos",
            IsEnabled = true,
            InventoryFilter = new InventoryFilter { InventoryFilterPredicate = new InventoryPrefixPredicate("logs/") },
            IncludedObjectVersions = InventoryIncludedObjectVersions.All,
            InventoryOptionalFields = [InventoryOptionalField.Size, InventoryOptionalField.ETag],
            Schedule = new InventorySchedule { Frequency = InventoryFrequency.Weekly },
            Destination = Destination(InventoryFormat.ORC, accountId: TestAccounts.Owner.Uin, prefix: "cos",
                encryption: new InventoryEncryption { SSES3 = new SSES3() }),
        });
        (await GetCosAsync("from-cos")).Should().Be(Declaration + cos, "a read in the other dialect changes nothing stored");
    }

    [Fact]
    public async Task GetBucketInventoryConfiguration_ThroughCos_ShowsAnS3ConfigurationInCosTerms_AndLeavesItStoredAsS3()
    {
        await CreateReportsBucketAsync();
        var sent = new InventoryConfiguration
        {
            InventoryId = "from-s3",
            IsEnabled = true,
            InventoryFilter = new InventoryFilter { InventoryFilterPredicate = new InventoryPrefixPredicate("photos/") },
            IncludedObjectVersions = InventoryIncludedObjectVersions.Current,
            InventoryOptionalFields = [InventoryOptionalField.Size, InventoryOptionalField.EncryptionStatus, InventoryOptionalField.ObjectOwner,
                InventoryOptionalField.ETag],
            Schedule = new InventorySchedule { Frequency = InventoryFrequency.Daily },
            Destination = Destination(InventoryFormat.Parquet, accountId: TestAccounts.Owner.Uin, prefix: "s3",
                encryption: new InventoryEncryption { SSEKMS = new SSEKMS { KeyId = KmsKeyId } }),
        };
        await PutConfigurationAsync(sent);

        (await GetCosAsync("from-s3")).Should().Be(Declaration +
            "<InventoryConfiguration><Id>from-s3</Id><IsEnabled>true</IsEnabled><Destination><COSBucketDestination><Format>Parquet</Format>" +
            $"<AccountId>{TestAccounts.Owner.Uin}</AccountId><Bucket>qcs::cos:{TestServer.Region}::{_reports}</Bucket><Prefix>s3</Prefix>" +
            "<Encryption><SSE-COS></SSE-COS></Encryption></COSBucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule>" +
            "<Filter><Prefix>photos/</Prefix></Filter><IncludedObjectVersions>Current</IncludedObjectVersions>" +
            "<OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields></InventoryConfiguration>");
        ShouldMatch(await GetConfigurationAsync("from-s3"), sent);
    }

    [Fact]
    public async Task PostBucketInventory_AnswersNotImplemented_WhenSignedWithSigV4()
    {
        await CreateReportsBucketAsync();

        var response = await SendSignedAsync(HttpMethod.Post, "inventory&id=once", RawConfiguration("once"));

        await response.ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented", Dialect.S3);
        await ShouldBeMissingAsync("once");
    }

    private Task<HttpResponseMessage> PutCosAsync(string id, string xml) =>
        Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, query: $"inventory&id={id}", content: new StringContent(xml)));

    private async Task<string> GetCosAsync(string id)
    {
        var response = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: $"inventory&id={id}"));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Creates inv-0000 … inv-(count-1), eight at a time.</summary>
    private async Task PutManyAsync(int count)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, cancellationToken) => await S3.PutBucketInventoryConfigurationAsync(new PutBucketInventoryConfigurationRequest
            {
                BucketName = Bucket,
                InventoryId = $"inv-{i:0000}",
                InventoryConfiguration = Minimal($"inv-{i:0000}"),
            }, cancellationToken));
    }

    private async Task CreateReportsBucketAsync() => await S3.PutBucketAsync(_reports);

    /// <summary>A CSV, unencrypted, daily, current-versions configuration with no filter and no optional fields.</summary>
    private InventoryConfiguration Minimal(string id) => new()
    {
        InventoryId = id,
        IsEnabled = true,
        IncludedObjectVersions = InventoryIncludedObjectVersions.Current,
        Schedule = new InventorySchedule { Frequency = InventoryFrequency.Daily },
        Destination = Destination(InventoryFormat.CSV),
    };

    private InventoryDestination Destination(InventoryFormat format, string? accountId = null, string? prefix = null, InventoryEncryption? encryption = null) =>
        new()
        {
            S3BucketDestination = new InventoryS3BucketDestination
            {
                AccountId = accountId,
                BucketName = ReportsArn,
                Prefix = prefix,
                InventoryFormat = format,
                InventoryEncryption = encryption,
            },
        };

    private Task<PutBucketInventoryConfigurationResponse> PutConfigurationAsync(InventoryConfiguration configuration) =>
        S3.PutBucketInventoryConfigurationAsync(new PutBucketInventoryConfigurationRequest
        {
            BucketName = Bucket,
            InventoryId = configuration.InventoryId,
            InventoryConfiguration = configuration,
        });

    private async Task<InventoryConfiguration> GetConfigurationAsync(string id)
    {
        var response = await S3.GetBucketInventoryConfigurationAsync(new GetBucketInventoryConfigurationRequest { BucketName = Bucket, InventoryId = id });
        response.HttpStatusCode.Should().Be(HttpStatusCode.OK);
        return response.InventoryConfiguration;
    }

    /// <summary>
    /// That GET Bucket inventory answers 404 NoSuchConfiguration for <paramref name="id"/>. The AWS SDK for .NET marks
    /// GetBucketInventoryConfiguration <c>Suppress404Exceptions</c>: it turns a 404 into a response with no configuration
    /// instead of an AmazonS3Exception, so the error code is read from the same request signed by hand.
    /// </summary>
    private async Task ShouldBeMissingAsync(string id)
    {
        var response = await S3.GetBucketInventoryConfigurationAsync(new GetBucketInventoryConfigurationRequest { BucketName = Bucket, InventoryId = id });
        response.HttpStatusCode.Should().Be(HttpStatusCode.NotFound);
        response.InventoryConfiguration.Should().BeNull();
        await (await SendSignedAsync(HttpMethod.Get, "inventory&id=" + Uri.EscapeDataString(id)))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchConfiguration", Dialect.S3);
    }

    /// <summary>Field by field, so a difference names the field; optional fields must come back in the order sent.</summary>
    private static void ShouldMatch(InventoryConfiguration actual, InventoryConfiguration expected)
    {
        actual.InventoryId.Should().Be(expected.InventoryId);
        actual.IsEnabled.Should().Be(expected.IsEnabled);
        (actual.IncludedObjectVersions?.Value).Should().Be(expected.IncludedObjectVersions.Value);
        (actual.Schedule?.Frequency?.Value).Should().Be(expected.Schedule.Frequency.Value);
        (actual.InventoryOptionalFields ?? []).Select(f => f.Value).Should().Equal((expected.InventoryOptionalFields ?? []).Select(f => f.Value));
        (actual.InventoryFilter is null).Should().Be(expected.InventoryFilter is null, "a filter comes back exactly when one was sent");
        PrefixOf(actual.InventoryFilter).Should().Be(PrefixOf(expected.InventoryFilter));

        var destination = actual.Destination?.S3BucketDestination;
        var sent = expected.Destination.S3BucketDestination;
        destination.Should().NotBeNull();
        destination!.BucketName.Should().Be(sent.BucketName);
        destination.AccountId.Should().Be(sent.AccountId);
        destination.Prefix.Should().Be(sent.Prefix);
        (destination.InventoryFormat?.Value).Should().Be(sent.InventoryFormat.Value);
        (destination.InventoryEncryption?.SSES3 is not null).Should().Be(sent.InventoryEncryption?.SSES3 is not null, "SSE-S3 comes back exactly when sent");
        (destination.InventoryEncryption?.SSEKMS is not null).Should().Be(sent.InventoryEncryption?.SSEKMS is not null, "SSE-KMS comes back exactly when sent");
        (destination.InventoryEncryption?.SSEKMS?.KeyId).Should().Be(sent.InventoryEncryption?.SSEKMS?.KeyId);
    }

    private static string? PrefixOf(InventoryFilter? filter) => (filter?.InventoryFilterPredicate as InventoryPrefixPredicate)?.Prefix;

    /// <summary>A complete S3 inventory configuration whose body says <paramref name="bodyId"/>, as S3's API reference shows it.</summary>
    private byte[] RawConfiguration(string bodyId) => Encoding.UTF8.GetBytes($"""
        <?xml version="1.0" encoding="UTF-8"?>
        <InventoryConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Destination>
            <S3BucketDestination>
              <Bucket>{ReportsArn}</Bucket>
              <Format>CSV</Format>
            </S3BucketDestination>
          </Destination>
          <IsEnabled>true</IsEnabled>
          <Id>{bodyId}</Id>
          <IncludedObjectVersions>Current</IncludedObjectVersions>
          <Schedule>
            <Frequency>Daily</Frequency>
          </Schedule>
        </InventoryConfiguration>
        """);

    /// <summary>A path-style request to the bucket, signed with SigV4 as the AWS SDKs sign, for what the SDK will not send.</summary>
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
