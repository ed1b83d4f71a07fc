using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Coffer.Model.Notifications;
using Coffer.Protocol.Routing;
using Coffer.Storage;
using Coffer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// Bucket notification configuration (S3's <c>?notification</c>) and events delivered from the outbox to a real webhook
/// after the change committed: AWS's event structure, one id per event, retries with back-off, per-target queue limits.
/// </summary>
public sealed class NotificationApiTests : IAsyncLifetime
{
    private const string Authorization = "Bearer webhook-secret";

    private readonly string _bucket = TestServer.BucketName("events");
    private WebhookReceiver _webhook = null!;
    private TestServer _server = null!;
    private S3TestClient _s3 = null!;

    private static readonly string Arn = NotificationTarget.ArnOf("hook");

    public async Task InitializeAsync()
    {
        _webhook = await WebhookReceiver.StartAsync();
        _server = await TestServer.StartAsync(notifications: new NotificationServiceOptions
        {
            Targets = [new NotificationTarget("hook", _webhook.Endpoint, Authorization), new NotificationTarget("small", _webhook.Endpoint, QueueLimit: 2)],
            RetryBase = TimeSpan.FromMilliseconds(50),
            RetryMax = TimeSpan.FromMilliseconds(200),
            PollInterval = TimeSpan.FromMilliseconds(20),
            CountInterval = TimeSpan.FromMilliseconds(50),
        });
        _s3 = new S3TestClient(_server.BaseAddress);
        await _server.CreateBucketAsync(_bucket);
    }

    public async Task DisposeAsync()
    {
        _s3.Dispose();
        await _server.DisposeAsync();
        await _webhook.DisposeAsync();
    }

    [Fact]
    public async Task GetNotification_ReturnsAnEmptyConfiguration_WhenNoneIsSet()
    {
        var response = await _s3.SendAsync(HttpMethod.Get, _bucket, query: "notification");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be(
            """<?xml version="1.0" encoding="utf-8"?><NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></NotificationConfiguration>""");
    }

    [Fact]
    public async Task PutNotification_RoundTripsEveryRule_WithItsFilter()
    {
        var put = await PutConfigurationAsync(
            Rule("created", "Queue", Arn, ["s3:ObjectCreated:*"], prefix: "logs/", suffix: ".gz"),
            Rule("removed", "Topic", Arn, ["s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated"]));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());

        var response = await _s3.SendAsync(HttpMethod.Get, _bucket, query: "notification");
        (await response.Content.ReadAsStringAsync()).Should().Be(
            """<?xml version="1.0" encoding="utf-8"?><NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">""" +
            $"<QueueConfiguration><Id>created</Id><Queue>{Arn}</Queue><Event>s3:ObjectCreated:*</Event>" +
            "<Filter><S3Key><FilterRule><Name>Prefix</Name><Value>logs/</Value></FilterRule><FilterRule><Name>Suffix</Name><Value>.gz</Value></FilterRule></S3Key></Filter>" +
            "</QueueConfiguration>" +
            $"<TopicConfiguration><Id>removed</Id><Topic>{Arn}</Topic><Event>s3:ObjectRemoved:Delete</Event><Event>s3:ObjectRemoved:DeleteMarkerCreated</Event></TopicConfiguration>" +
            "</NotificationConfiguration>");
    }

    [Fact]
    public async Task PutNotification_WithNoRules_RemovesTheConfiguration()
    {
        (await PutConfigurationAsync(Rule("all", "Queue", Arn, ["s3:ObjectCreated:*"]))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await PutConfigurationAsync()).StatusCode.Should().Be(HttpStatusCode.OK);
        var response = await _s3.SendAsync(HttpMethod.Get, _bucket, query: "notification");
        XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Elements().Should().BeEmpty();
    }

    [Theory]
    [InlineData("arn:aws:sqs:us-east-1:123456789012:orders", "Queue")]
    [InlineData("arn:aws:sns:us-east-1:123456789012:orders", "Topic")]
    [InlineData("arn:aws:lambda:us-east-1:123456789012:function:f", "CloudFunction")]
    [InlineData("qcs::cmq:ap-guangzhou:uin/100000000001:queueName/orders", "Queue")]
    public async Task PutNotification_ReturnsInvalidArgument_ForADestinationTheServerDoesNotHave(string arn, string kind)
    {
        var response = await PutConfigurationAsync(Rule("cloud", kind, arn, ["s3:ObjectCreated:*"]));
        var error = await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        error.Element("Message")!.Value.Should().Contain("Unable to validate the following destination configurations").And.Contain(arn);
        await ShouldHaveNoConfigurationAsync();
    }

    [Fact]
    public async Task PutNotification_ReturnsNotImplemented_ForEventBridge()
    {
        var response = await _s3.SendAsync(HttpMethod.Put, _bucket, query: "notification", body: Encoding.UTF8.GetBytes(
            "<NotificationConfiguration><EventBridgeConfiguration/></NotificationConfiguration>"));
        await response.ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented", Dialect.S3);
        await ShouldHaveNoConfigurationAsync();
    }

    [Theory]
    [InlineData("s3:ObjectRestore:Completed")]
    [InlineData("s3:Replication:*")]
    public async Task PutNotification_ReturnsInvalidArgument_ForAnEventTypeWithoutEvents(string eventName)
    {
        var response = await PutConfigurationAsync(Rule("r", "Queue", Arn, [eventName]));
        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
    }

    [Fact]
    public async Task PutNotification_ReturnsInvalidArgument_WhenTwoRulesOverlap()
    {
        var response = await PutConfigurationAsync(Rule("a", "Queue", Arn, ["s3:ObjectCreated:*"], prefix: "logs/"), Rule("b", "Queue", Arn, ["s3:ObjectCreated:Put"]));
        var error = await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        error.Element("Message")!.Value.Should().Contain("overlap");
    }

    [Fact]
    public async Task Notification_InTheCosDialect_ReturnsNotImplemented_InCosErrorXml()
    {
        var put = await _server.SendAsync(_server.Request(HttpMethod.Put, _bucket, query: "notification",
            content: new StringContent(Configuration(Rule("all", "Queue", Arn, ["s3:ObjectCreated:*"])))));
        await put.ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented");
        var get = await _server.SendAsync(_server.Request(HttpMethod.Get, _bucket, query: "notification"));
        await get.ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented");
        await ShouldHaveNoConfigurationAsync();
    }

    [Fact]
    public async Task PutObject_DeliversAnS3Event_WithItsIdAndTheTargetsAuthorization()
    {
        (await PutConfigurationAsync(Rule("created", "Queue", Arn, ["s3:ObjectCreated:*"]))).StatusCode.Should().Be(HttpStatusCode.OK);
        var put = await _s3.SendAsync(HttpMethod.Put, _bucket, "dir/a b.txt", body: "hello"u8.ToArray());
        put.StatusCode.Should().Be(HttpStatusCode.OK);

        var received = (await _webhook.WaitForAcceptedAsync(1)).Single();
        received.EventId.Should().MatchRegex("^[0-9a-f]{32}$");
        received.Authorization.Should().Be(Authorization);
        var record = JsonDocument.Parse(received.Body).RootElement.GetProperty("Records").EnumerateArray().Single();
        record.GetProperty("eventVersion").GetString().Should().Be("2.1");
        record.GetProperty("eventSource").GetString().Should().Be("aws:s3");
        record.GetProperty("awsRegion").GetString().Should().Be(TestServer.Region);
        record.GetProperty("eventName").GetString().Should().Be("ObjectCreated:Put");
        record.GetProperty("responseElements").GetProperty("x-amz-request-id").GetString().Should().Be(put.Headers.GetValues("x-amz-request-id").Single());
        var s3 = record.GetProperty("s3");
        s3.GetProperty("configurationId").GetString().Should().Be("created");
        s3.GetProperty("bucket").GetProperty("name").GetString().Should().Be(_bucket);
        s3.GetProperty("bucket").GetProperty("arn").GetString().Should().Be("arn:aws:s3:::" + _bucket);
        var obj = s3.GetProperty("object");
        obj.GetProperty("key").GetString().Should().Be("dir/a+b.txt", "S3 sends the key URL-encoded");
        obj.GetProperty("size").GetInt64().Should().Be(5);
        obj.GetProperty("eTag").GetString().Should().Be("5d41402abc4b2a76b9719d911017c592");
        obj.TryGetProperty("versionId", out _).Should().BeFalse("an unversioned bucket's object has the null version");
        obj.GetProperty("sequencer").GetString().Should().MatchRegex("^[0-9A-F]{16}$");
    }

    [Fact]
    public async Task Changes_InBothDialects_DeliverTheEventsTheirRulesMatch_AndOnlyThose()
    {
        (await PutConfigurationAsync(
            Rule("logs", "Queue", Arn, ["s3:ObjectCreated:*"], prefix: "logs/"),
            Rule("removed", "Queue", Arn, ["s3:ObjectRemoved:*"]))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _server.PutObjectAsync(_bucket, "logs/cos.txt", [1])).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _server.PutObjectAsync(_bucket, "other/cos.txt", [2])).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _s3.SendAsync(HttpMethod.Put, _bucket, "logs/s3.txt", body: [3])).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _server.SendAsync(_server.Request(HttpMethod.Delete, _bucket, "other/cos.txt"))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var received = await _webhook.WaitForAcceptedAsync(3);
        await Task.Delay(300);
        _webhook.Accepted.Should().HaveCount(3, "the PUT of other/cos.txt matches no rule");
        var events = received.Select(Describe).ToArray();
        events.Should().BeEquivalentTo(["logs ObjectCreated:Put logs/cos.txt", "logs ObjectCreated:Put logs/s3.txt", "removed ObjectRemoved:Delete other/cos.txt"]);
        received.Select(r => r.EventId).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Delivery_RetriesAFailingWebhook_WithTheSameEventId_UntilItTakesTheEvent()
    {
        (await PutConfigurationAsync(Rule("created", "Queue", Arn, ["s3:ObjectCreated:*"]))).StatusCode.Should().Be(HttpStatusCode.OK);
        _webhook.Status = HttpStatusCode.ServiceUnavailable;
        (await _s3.SendAsync(HttpMethod.Put, _bucket, "retried", body: [1])).StatusCode.Should().Be(HttpStatusCode.OK);
        await _webhook.WaitForReceivedAsync(3);
        _webhook.Status = HttpStatusCode.NoContent;

        var accepted = (await _webhook.WaitForAcceptedAsync(1)).Single();
        var attempts = _webhook.Received.Where(r => r.EventId == accepted.EventId).ToArray();
        attempts.Length.Should().BeGreaterThanOrEqualTo(4);
        attempts.Select(a => a.Body).Should().AllSatisfy(body => body.Should().Equal(accepted.Body));
        await Task.Delay(300);
        _webhook.Accepted.Should().ContainSingle("a delivered event leaves the outbox");
    }

    [Fact]
    public async Task Events_PastATargetsQueueLimit_AreDroppedAndCounted()
    {
        (await PutConfigurationAsync(Rule("small", "Queue", NotificationTarget.ArnOf("small"), ["s3:ObjectCreated:*"]))).StatusCode.Should().Be(HttpStatusCode.OK);
        _webhook.Status = HttpStatusCode.ServiceUnavailable;
        var events = _server.Server.Services.GetRequiredService<ObjectEvents>();
        for (var i = 0; i < 5; i++)
        {
            (await _s3.SendAsync(HttpMethod.Put, _bucket, $"k{i}", body: [1])).StatusCode.Should().Be(HttpStatusCode.OK);

            // Besides the deliverer's own recounts (every 50 ms): none may let a third event in.
            await events.RecountAsync();
        }

        events.Dropped["small"].Should().Be(3);
        (await CountQueuedAsync()).Should().Equal(new Dictionary<string, long> { ["small"] = 2 });

        _webhook.Status = HttpStatusCode.OK;
        await _webhook.WaitForAcceptedAsync(2);
        using var drained = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await CountQueuedAsync()).Count > 0)
        {
            await Task.Delay(20, drained.Token);
        }

        _webhook.Accepted.Select(Describe).Should().BeEquivalentTo(["small ObjectCreated:Put k0", "small ObjectCreated:Put k1"]);
    }

    [Fact]
    public async Task InventoryReport_DeliversAnEvent_WhenItsManifestChecksumLands()
    {
        var destination = TestServer.BucketName("eventsdst");
        await _server.CreateBucketAsync(destination);
        (await PutConfigurationAsync(Rule("reports", "Queue", Arn, [NotificationEvents.InventoryDelivered]))).StatusCode.Should().Be(HttpStatusCode.OK);
        await _server.PutObjectAsync(_bucket, "a.txt", [1, 2, 3]);
        var body = "<InventoryConfiguration><Id>daily</Id><Destination><COSBucketDestination><Format>CSV</Format>" +
            $"<Bucket>qcs::cos:{TestServer.Region}::{destination}</Bucket><Prefix>reports</Prefix></COSBucketDestination></Destination>" +
            "<IncludedObjectVersions>Current</IncludedObjectVersions></InventoryConfiguration>";
        var run = await _server.SendAsync(_server.Request(HttpMethod.Post, _bucket, query: "inventory&id=daily", content: new StringContent(body)));
        run.StatusCode.Should().Be(HttpStatusCode.OK);
        var jobId = XDocument.Parse(await run.Content.ReadAsStringAsync()).Root!.Element("JobId")!.Value;

        var record = JsonDocument.Parse((await _webhook.WaitForAcceptedAsync(1)).Single().Body).RootElement.GetProperty("Records")[0];
        record.GetProperty("eventSource").GetString().Should().Be("coffer:inventory");
        record.GetProperty("eventName").GetString().Should().Be("InventoryReport:Delivered");
        var inventory = record.GetProperty("inventory");
        inventory.GetProperty("configurationId").GetString().Should().Be("daily");
        inventory.GetProperty("jobId").GetString().Should().Be(jobId);
        inventory.GetProperty("destinationBucket").GetString().Should().Be(destination);
        var manifestKey = inventory.GetProperty("manifestKey").GetString()!;
        (await _server.SendAsync(_server.Request(HttpMethod.Get, destination, manifestKey))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _server.SendAsync(_server.Request(HttpMethod.Get, destination, manifestKey[..^".json".Length] + ".checksum"))).StatusCode
            .Should().Be(HttpStatusCode.OK, "the event tells of a report whose checksum already landed");
    }

    private Task<IReadOnlyDictionary<string, long>> CountQueuedAsync() =>
        _server.Server.Services.GetRequiredService<StorageEngine>().Metadata.WriteAsync(w => w.Outbox.CountByTarget());

    private static string Describe(ReceivedEvent received)
    {
        var record = JsonDocument.Parse(received.Body).RootElement.GetProperty("Records")[0];
        var s3 = record.GetProperty("s3");
        return $"{s3.GetProperty("configurationId").GetString()} {record.GetProperty("eventName").GetString()} {s3.GetProperty("object").GetProperty("key").GetString()}";
    }

    private static string Rule(string id, string kind, string arn, string[] events, string? prefix = null, string? suffix = null)
    {
        var filter = prefix is null && suffix is null ? "" :
            "<Filter><S3Key>" + (prefix is null ? "" : $"<FilterRule><Name>prefix</Name><Value>{prefix}</Value></FilterRule>") +
            (suffix is null ? "" : $"<FilterRule><Name>suffix</Name><Value>{suffix}</Value></FilterRule>") + "</S3Key></Filter>";
        return $"<{kind}Configuration><Id>{id}</Id><{kind}>{arn}</{kind}>{string.Concat(events.Select(e => $"<Event>{e}</Event>"))}{filter}</{kind}Configuration>";
    }

    private static string Configuration(params string[] rules) =>
        $"""<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{string.Concat(rules)}</NotificationConfiguration>""";

    private Task<HttpResponseMessage> PutConfigurationAsync(params string[] rules) =>
        _s3.SendAsync(HttpMethod.Put, _bucket, query: "notification", body: Encoding.UTF8.GetBytes(Configuration(rules)));

    private async Task ShouldHaveNoConfigurationAsync()
    {
        var response = await _s3.SendAsync(HttpMethod.Get, _bucket, query: "notification");
        XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Elements().Should().BeEmpty();
    }
}
