using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace Coffer.Host.Tests;

/// <summary>
/// <c>coffer batch ...</c>: the real executable against a real server process, over COS batch processing's job API with
/// the owner's key from the environment; exit codes, progress on stderr, JSON on stdout.
/// </summary>
public sealed class BatchCommandTests() : CommandTestBase("batch-command", Source, Reports, "a.txt", "b c.txt", "d.txt")
{
    private const string Source = "batchcmd-1250000000";
    private const string Reports = "batchrep-1250000000";

    protected override async Task SeedAsync() =>
        (await Client.PutObjectAsync(Source, "list.csv", Encoding.UTF8.GetBytes($"{Source},a.txt\n{Source},b%20c.txt\n{Source},d.txt\n"))).EnsureSuccessStatusCode();

    [Fact]
    public async Task Create_Wait_TagsEveryListedObject_ThenListAndDescribeShowTheJob()
    {
        var (exitCode, output, error) = await CofferAsync("batch", "create", "--manifest", $"{Source}/list.csv", "--operation", "tag", "--tag", "team=blue",
            "--report-bucket", Reports, "--report-prefix", "done", "--wait", "--output", "json");

        exitCode.Should().Be(0, output + error);
        var job = JsonDocument.Parse(output).RootElement;
        job.GetProperty("Status").GetString().Should().Be("Complete");
        job.GetProperty("Operation").GetString().Should().Be("COSPutObjectTagging");
        job.GetProperty("TotalTasks").GetInt64().Should().Be(3);
        job.GetProperty("Succeeded").GetInt64().Should().Be(3);
        error.Should().Contain("3/3 tasks  0 failed  Complete");
        foreach (var key in new[] { "a.txt", "b c.txt", "d.txt" })
        {
            var tagging = await Client.SendAsync(Client.Request(HttpMethod.Get, Source, key, "tagging"));
            (await tagging.Content.ReadAsStringAsync()).Should().Contain("<Key>team</Key><Value>blue</Value>");
        }

        var jobId = job.GetProperty("JobId").GetString()!;
        (await Client.SendAsync(Client.Request(HttpMethod.Head, Reports, $"done/job-{jobId}/manifest.json"))).EnsureSuccessStatusCode();

        var (listed, list, _) = await CofferAsync("batch", "list", "--appid", "1250000000", "--status", "Complete", "--output", "json");
        listed.Should().Be(0, list);
        JsonDocument.Parse(list).RootElement.EnumerateArray().Select(j => j.GetProperty("JobId").GetString()).Should().Equal(jobId);

        var (described, table, _) = await CofferAsync("batch", "describe", "--appid", "1250000000", "--job", jobId);
        described.Should().Be(0, table);
        table.Should().MatchRegex(@"Status\s+Complete").And.MatchRegex(@"Succeeded\s+3");
    }

    [Fact]
    public async Task Cancel_EndsAJobWaitingForConfirmation_AndASecondCancelIsRefused()
    {
        var jobId = await CreateSuspendedJobAsync();

        var (exitCode, output, error) = await CofferAsync("batch", "cancel", "--appid", "1250000000", "--job", jobId, "--reason", "not needed", "--output", "json");

        exitCode.Should().Be(0, output + error);
        JsonDocument.Parse(output).RootElement.GetProperty("Status").GetString().Should().Be("Cancelled");
        var (described, json, _) = await CofferAsync("batch", "describe", "--appid", "1250000000", "--job", jobId, "--output", "json");
        described.Should().Be(0);
        var job = JsonDocument.Parse(json).RootElement;
        job.GetProperty("Status").GetString().Should().Be("Cancelled");
        job.GetProperty("Succeeded").GetInt64().Should().Be(0);

        var (again, _, refused) = await CofferAsync("batch", "cancel", "--appid", "1250000000", "--job", jobId);
        again.Should().Be(3);
        refused.Should().StartWith("coffer: JobStatusException: A job in status Cancelled cannot be changed to Cancelled.");
    }

    [Fact]
    public async Task Commands_ExplainTheirMistakes_WithTheCliExitCodes()
    {
        var (noAccount, _, why) = await CofferAsync("batch", "list");
        noAccount.Should().Be(2);
        why.Should().Contain("no account: pass --appid or set COFFER_APPID");

        var (noTags, _, tagless) = await CofferAsync("batch", "create", "--manifest", $"{Source}/list.csv", "--operation", "tag");
        noTags.Should().Be(2);
        tagless.Should().Contain("--operation tag needs at least one --tag KEY=VALUE");

        var (unknown, _, missing) = await CofferAsync("batch", "describe", "--appid", "1250000000", "--job", "00000000-0000-4000-8000-000000000000");
        unknown.Should().Be(3);
        missing.Should().StartWith("coffer: NotFoundException:");

        var (noManifest, _, absent) = await CofferAsync("batch", "create", "--manifest", $"{Source}/nothing.csv", "--operation", "untag");
        noManifest.Should().Be(3, absent);
        absent.Should().Be($"coffer: HTTP 404: not found ({Source}/nothing.csv)\n", "a HEAD's answer has no error document to quote");
    }

    private async Task<string> CreateSuspendedJobAsync()
    {
        var head = await Client.SendAsync(Client.Request(HttpMethod.Head, Source, "list.csv"));
        var body = $"""
            <CreateJobRequest><ClientRequestToken>cli-cancel</ClientRequestToken><ConfirmationRequired>true</ConfirmationRequired>
            <Manifest><Location><ETag>{head.Headers.ETag!.Tag}</ETag><ObjectArn>qcs::cos:ap-guangzhou::{Source}/list.csv</ObjectArn></Location>
            <Spec><Fields><member>Bucket</member><member>Key</member></Fields><Format>COSBatchOperations_CSV_V1</Format></Spec></Manifest>
            <Operation><COSDeleteObjectTagging/></Operation><Priority>1</Priority><Report><Enabled>false</Enabled></Report></CreateJobRequest>
            """;
        var appId = new[] { new KeyValuePair<string, string>("x-cos-appid", "1250000000") };
        var created = await Client.SendAsync(Client.Request(HttpMethod.Post, null, "jobs", content: new StringContent(body, Encoding.UTF8, "application/xml"),
            headers: appId, host: "127.0.0.1"));
        var text = await created.Content.ReadAsStringAsync();
        created.IsSuccessStatusCode.Should().BeTrue(text);
        var jobId = XDocument.Parse(text).Root!.Element("JobId")!.Value;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (_, json, _) = await CofferAsync("batch", "describe", "--appid", "1250000000", "--job", jobId, "--output", "json");
            if (JsonDocument.Parse(json).RootElement.GetProperty("Status").GetString() == "Suspended")
            {
                return jobId;
            }

            DateTime.UtcNow.Should().BeBefore(deadline, "the server prepares the job and suspends it until it is confirmed");
            await Task.Delay(100);
        }
    }
}
