using System.Net;
using System.Text;
using System.Text.Json;
using Coffer.Model.Notifications;
using Coffer.Testing;

namespace Coffer.Host.Tests;

/// <summary>
/// Event notifications from two nodes on one PostgreSQL database to a real HTTP listener: each node's changes are
/// delivered, and the events a node leased when it was killed are delivered by the other once the lease runs out.
/// </summary>
public sealed class ClusterNotificationTests
{
    private const int LeaseSeconds = 6;

    [Fact]
    public async Task ChangesOnEitherNode_AreEachDelivered_WithAnIdOfTheirOwn()
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        await using var cluster = await CofferCluster.StartAsync(2, Configuration(webhook, "node"));
        var bucket = await CreateBucketWithRuleAsync(cluster);
        using var first = new S3TestClient(cluster.Nodes[0].BaseAddress);
        using var second = new S3TestClient(cluster.Nodes[1].BaseAddress);

        var keys = await Task.WhenAll(new[] { first, second }.SelectMany((client, node) => Enumerable.Range(0, 15).Select(async i =>
        {
            var key = $"node{node}/{i}";
            (await client.SendAsync(HttpMethod.Put, bucket, key, body: Encoding.UTF8.GetBytes(key))).StatusCode.Should().Be(HttpStatusCode.OK);
            return key;
        })));

        await WaitAsync(() => webhook.Accepted.Select(KeyOf).Distinct().Count() >= keys.Length, "every change delivered");
        var accepted = webhook.Accepted;
        accepted.Select(KeyOf).Distinct().Should().BeEquivalentTo(keys);
        accepted.GroupBy(KeyOf).Should().AllSatisfy(g => g.Select(e => e.EventId).Distinct().Should().ContainSingle("a repeat carries the event's id"));
        accepted.Select(e => e.EventId).Distinct().Should().HaveCount(keys.Length, "each change is an event of its own");
        accepted.Select(e => EventNameOf(e)).Should().AllBe("ObjectCreated:Put");
    }

    [Fact]
    public async Task KillingTheNodeThatLeasedEvents_BeforeItDeliveredThem_LetsTheOtherDeliverThem_AfterTheLease()
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        // Each node signs its deliveries with its own Authorization, so the listener sees which node POSTed an event.
        await using var cluster = await CofferCluster.StartAsync(1, Configuration(webhook, "node-0"));
        var secondConfig = Path.Combine(Path.GetDirectoryName(cluster.ConfigFile)!, "node-1.json");
        File.WriteAllText(secondConfig, Configuration(webhook, "node-1"));
        var survivor = await cluster.AddNodeAsync(secondConfig);
        var bucket = await CreateBucketWithRuleAsync(cluster);
        var keys = Enumerable.Range(0, 10).Select(i => $"leased/{i}").ToArray();

        // The survivor is paused, so the node about to die is the one that leases the events; the listener holds its
        // POSTs unanswered, so none is delivered before the kill. A pause that catches the survivor inside a write (its
        // outbox count locks the outbox) holds up the doomed node's PUTs until the database ends that transaction.
        webhook.Hold();
        survivor.Signal("STOP");
        try
        {
            using var doomed = new S3TestClient(cluster.Nodes[0].BaseAddress);
            foreach (var key in keys)
            {
                (await doomed.SendAsync(HttpMethod.Put, bucket, key, body: Encoding.UTF8.GetBytes(key))).StatusCode.Should().Be(HttpStatusCode.OK);
            }

            await WaitAsync(() => webhook.Held.Select(KeyOf).Distinct().Count() >= keys.Length, "the doomed node POSTed every event");
            await cluster.Nodes[0].KillAsync();
        }
        finally
        {
            webhook.Release();
            survivor.Signal("CONT");
        }

        var offered = webhook.Held.Where(e => keys.Contains(KeyOf(e))).ToArray();
        offered.Select(e => e.Authorization).Should().AllBe("Bearer node-0");
        await WaitAsync(() => webhook.Accepted.Where(e => e.Authorization == "Bearer node-1").Select(KeyOf).Distinct().Count() >= keys.Length,
            "the survivor delivered the dead node's events");

        // (A held POST of the dead node may still be answered if the listener had not yet seen its connection drop.)
        var delivered = webhook.Accepted.Where(e => e.Authorization == "Bearer node-1" && keys.Contains(KeyOf(e))).ToArray();
        delivered.Select(e => e.EventId).Distinct().Should().BeEquivalentTo(offered.Select(e => e.EventId).Distinct(),
            "the events the dead node leased are the ones delivered, under the same ids");
        delivered.GroupBy(KeyOf).Should().AllSatisfy(g => g.Select(e => e.EventId).Distinct().Should().ContainSingle());
        // The dead node's lease began before its POST arrived; the survivor waited for it to run out.
        var leasedAt = offered.Min(e => e.ArrivedAt);
        delivered.Min(e => e.ArrivedAt).Should().BeOnOrAfter(leasedAt + TimeSpan.FromSeconds(LeaseSeconds - 2));
    }

    private static string Configuration(WebhookReceiver webhook, string node) => $$"""
        { "notifications": { "targets": [{ "id": "hook", "endpoint": "{{webhook.Endpoint}}", "authorization": "Bearer {{node}}" }],
          "leaseSeconds": {{LeaseSeconds}}, "retryBaseMilliseconds": 100, "retryMaxSeconds": 1 } }
        """;

    private static async Task<string> CreateBucketWithRuleAsync(CofferCluster cluster)
    {
        var bucket = CosTestClient.BucketName("clusterevents");
        using var cos = cluster.Client(0);
        (await cos.CreateBucketAsync(bucket)).StatusCode.Should().Be(HttpStatusCode.OK);
        using var s3 = new S3TestClient(cluster.Nodes[^1].BaseAddress);
        var configuration = $"<NotificationConfiguration><QueueConfiguration><Id>all</Id><Queue>{NotificationTarget.ArnOf("hook")}</Queue>" +
            "<Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>";
        (await s3.SendAsync(HttpMethod.Put, bucket, query: "notification", body: Encoding.UTF8.GetBytes(configuration))).StatusCode.Should().Be(HttpStatusCode.OK);
        return bucket;
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, what);
            await Task.Delay(50);
        }
    }

    private static JsonElement RecordOf(ReceivedEvent received) => JsonDocument.Parse(received.Body).RootElement.GetProperty("Records")[0];

    private static string KeyOf(ReceivedEvent received) => RecordOf(received).GetProperty("s3").GetProperty("object").GetProperty("key").GetString()!;

    private static string EventNameOf(ReceivedEvent received) => RecordOf(received).GetProperty("eventName").GetString()!;
}
