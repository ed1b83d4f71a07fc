using System.Net;
using System.Text;
using System.Text.Json;
using Coffer.Model.Notifications;
using Coffer.Testing;

namespace Coffer.Host.Tests;

/// <summary>Events live in the outbox from the change's commit on: a kill -9 before they reached the webhook loses none.</summary>
public sealed class NotificationCrashTests : IDisposable
{
    private readonly TempDirectory _data = new("notify-crash");

    [Fact]
    public async Task KillBetweenCommitAndDelivery_StillDeliversEveryEvent_AfterTheRestart()
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        webhook.Status = HttpStatusCode.ServiceUnavailable;
        var config = _data.Combine("coffer.json");
        File.WriteAllText(config, $$"""
            { "notifications": { "targets": [{ "id": "hook", "endpoint": "{{webhook.Endpoint}}" }],
              "leaseSeconds": 2, "retryBaseMilliseconds": 100, "retryMaxSeconds": 1 } }
            """);
        var bucket = CosTestClient.BucketName("crashevents");
        var keys = Enumerable.Range(0, 10).Select(i => $"s3/{i}").Append("cos/one").ToArray();

        await using (var coffer = await CofferProcess.StartAsync(_data.Combine("data"), true, "--config", config))
        {
            using var cos = new CosTestClient(coffer.BaseAddress, TimeProvider.System);
            using var s3 = new S3TestClient(coffer.BaseAddress);
            (await cos.CreateBucketAsync(bucket)).StatusCode.Should().Be(HttpStatusCode.OK);
            var configuration = $"<NotificationConfiguration><QueueConfiguration><Id>all</Id><Queue>{NotificationTarget.ArnOf("hook")}</Queue>" +
                "<Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>";
            (await s3.SendAsync(HttpMethod.Put, bucket, query: "notification", body: Encoding.UTF8.GetBytes(configuration))).StatusCode.Should().Be(HttpStatusCode.OK);
            foreach (var key in keys[..^1])
            {
                (await s3.SendAsync(HttpMethod.Put, bucket, key, body: Encoding.UTF8.GetBytes(key))).StatusCode.Should().Be(HttpStatusCode.OK);
            }

            (await cos.PutObjectAsync(bucket, keys[^1], [1])).StatusCode.Should().Be(HttpStatusCode.OK);
            // Every change committed and was offered to the webhook, which took none of them.
            await webhook.WaitForDistinctEventsAsync(keys.Length);
            await coffer.KillAsync();
        }

        webhook.Accepted.Should().BeEmpty();
        var offered = webhook.Received.Select(r => r.EventId).Distinct().ToArray();
        webhook.Status = HttpStatusCode.OK;

        await using (await CofferProcess.StartAsync(_data.Combine("data"), true, "--config", config))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (webhook.Accepted.Select(KeyOf).Distinct().Count() < keys.Length && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }

        var accepted = webhook.Accepted;
        accepted.Select(KeyOf).Distinct().Should().BeEquivalentTo(keys);
        accepted.GroupBy(KeyOf).Should().AllSatisfy(g => g.Select(e => e.EventId).Distinct().Should().ContainSingle("a repeat carries the event's id"));
        accepted.Select(e => e.EventId).Distinct().Should().BeEquivalentTo(offered, "the events offered before the kill are the ones delivered after it");
    }

    public void Dispose() => _data.Dispose();

    private static string KeyOf(ReceivedEvent received) =>
        JsonDocument.Parse(received.Body).RootElement.GetProperty("Records")[0].GetProperty("s3").GetProperty("object").GetProperty("key").GetString()!;
}
