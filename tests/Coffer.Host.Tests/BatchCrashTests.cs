using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Coffer.Composition;
using Coffer.Model;
using Coffer.Model.Batch;
using Coffer.Model.Objects;
using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Host.Tests;

/// <summary>A batch job whose server is killed mid-job is taken over by the next server and ends with every task done once.</summary>
public sealed class BatchCrashTests : IDisposable
{
    private const int Objects = 20_000;
    private static readonly XNamespace Ns = "http://awss3control.amazonaws.com/doc/2018-08-20/";
    private static readonly KeyValuePair<string, string> Tag = new("batch", "done");
    private readonly TempDirectory _data = new("batch-crash");

    [Fact]
    public async Task KillingTheServerMidJob_ThenRestarting_FinishesTheJob_WithEachTaskOnceAndOneReport()
    {
        var source = CosTestClient.BucketName("batchsrc");
        var reports = CosTestClient.BucketName("batchrep");
        var manifest = await SeedAsync(source, reports);

        // Small chunks, one at a time, make the job long enough to kill; a short lease lets the next server take it over.
        var config = _data.Combine("coffer.json");
        File.WriteAllText(config, """{ "batch": { "chunkSize": 20, "parallelism": 1, "leaseSeconds": 2, "pollMilliseconds": 200 } }""");
        string jobId;
        long doneAtKill;
        await using (var first = await CofferProcess.StartAsync(_data.Combine("data"), true, "--config", config))
        {
            using var s3 = new S3TestClient(first.BaseAddress);
            var created = await s3.SendAsync(s3.RequestAt(HttpMethod.Post, "/v20180820/jobs", body: Encoding.UTF8.GetBytes($"""
                <CreateJobRequest xmlns="{Ns}"><ClientRequestToken>crash</ClientRequestToken><ConfirmationRequired>false</ConfirmationRequired>
                <Operation><S3PutObjectTagging><TagSet><member><Key>{Tag.Key}</Key><Value>{Tag.Value}</Value></member></TagSet></S3PutObjectTagging></Operation>
                <Report><Bucket>arn:aws:s3:::{reports}</Bucket><Format>Report_CSV_20180820</Format><Enabled>true</Enabled><ReportScope>AllTasks</ReportScope></Report>
                <Manifest><Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields></Spec>
                <Location><ObjectArn>arn:aws:s3:::{source}/manifest.csv</ObjectArn><ETag>{manifest.ETag}</ETag></Location></Manifest>
                <Priority>1</Priority><RoleArn>arn:aws:iam::{TestAccounts.Owner.Uin}:role/batch</RoleArn></CreateJobRequest>
                """), headers: AccountHeader));
            var text = await created.Content.ReadAsStringAsync();
            created.StatusCode.Should().Be(HttpStatusCode.OK, text);
            jobId = XDocument.Parse(text).Root!.Element(Ns + "JobId")!.Value;

            await WaitForAsync(async () => Succeeded(await DescribeAsync(s3, jobId)) >= 1000);
            await first.KillAsync();
        }

        // What the killed process left, read straight from its data: the job Active, and exactly the objects its
        // committed results count are tagged (results commit with their effects).
        using (var engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = _data.Combine("data"), Time = TimeProvider.System }))
        {
            var killed = new BatchJobs(engine.Metadata, TimeProvider.System).Find(jobId)!;
            killed.Status.Should().Be(BatchJobStates.Active, "the server was killed mid-job, not after it");
            killed.TasksSucceeded.Should().BeLessThan(Objects);
            doneAtKill = killed.TasksSucceeded;
            TaggedCount(new ObjectService(engine, TimeProvider.System), source).Should().Be(doneAtKill);
        }

        await using (var second = await CofferProcess.StartAsync(_data.Combine("data"), true, "--config", config))
        {
            using var s3 = new S3TestClient(second.BaseAddress);
            await WaitForAsync(async () => (await DescribeAsync(s3, jobId)).Element(Ns + "Status")!.Value is "Complete" or "Failed");
            var job = await DescribeAsync(s3, jobId);
            job.Element(Ns + "Status")!.Value.Should().Be("Complete");
            job.Element(Ns + "ProgressSummary")!.Element(Ns + "TotalNumberOfTasks")!.Value.Should().Be(Objects.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Succeeded(job).Should().Be(Objects, "no task ran twice and none was skipped");

            var manifestBytes = await GetAsync(s3, reports, $"job-{jobId}/manifest.json");
            Encoding.ASCII.GetString(await GetAsync(s3, reports, $"job-{jobId}/manifest.checksum"))
                .Should().Be(Convert.ToHexStringLower(MD5.HashData(manifestBytes)));
            var results = JsonDocument.Parse(manifestBytes).RootElement.GetProperty("Results").EnumerateArray().ToArray();
            results.Should().ContainSingle().Which.GetProperty("TaskExecutionStatus").GetString().Should().Be("succeeded");
            var rows = Encoding.UTF8.GetString(await GetAsync(s3, reports, results[0].GetProperty("Key").GetString()!))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            rows.Select(r => r.Split(',')[1]).Should().OnlyHaveUniqueItems().And.HaveCount(Objects);
        }

        using (var engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = _data.Combine("data"), Time = TimeProvider.System }))
        {
            TaggedCount(new ObjectService(engine, TimeProvider.System), source).Should().Be(Objects);
        }

        doneAtKill.Should().BeGreaterThan(0);
    }

    public void Dispose() => _data.Dispose();

    private static readonly KeyValuePair<string, string>[] AccountHeader = [new("x-amz-account-id", TestAccounts.Owner.Uin)];

    private static long Succeeded(XElement job) => long.Parse(job.Element(Ns + "ProgressSummary")!.Element(Ns + "NumberOfTasksSucceeded")!.Value,
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The seeded buckets and the manifest listing every seeded object.</summary>
    private async Task<ObjectInfo> SeedAsync(string source, string reports)
    {
        ObjectInfo? manifest = null;
        var csv = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, Objects).Select(i => $"{source},{SeededBuckets.Key(i)}\n")));
        await SeededBuckets.SeedAsync(new CoreOptions { DataDirectory = _data.Combine("data"), Time = TimeProvider.System }, source, reports, Objects,
            async objects => manifest = await objects.PutObjectAsync(
                new PutObjectRequest { Bucket = source, Key = "manifest.csv", Body = new MemoryStream(csv), ContentLength = csv.Length }));
        return manifest!;
    }

    private static long TaggedCount(ObjectService objects, string bucket) =>
        Enumerable.Range(0, Objects).LongCount(i => objects.HeadObject(bucket, $"object-{i:D5}", null).Tags.SequenceEqual([Tag]));

    private static async Task<XElement> DescribeAsync(S3TestClient s3, string jobId)
    {
        var response = await s3.SendAsync(s3.RequestAt(HttpMethod.Get, $"/v20180820/jobs/{jobId}", headers: AccountHeader));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return XDocument.Parse(text).Root!.Element(Ns + "Job")!;
    }

    private static async Task<byte[]> GetAsync(S3TestClient s3, string bucket, string key)
    {
        var response = await s3.SendAsync(HttpMethod.Get, bucket, key);
        response.StatusCode.Should().Be(HttpStatusCode.OK, key);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The batch job did not get there in time.");
            }

            await Task.Delay(50);
        }
    }
}
