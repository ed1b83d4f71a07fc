using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Coffer.Model.Accounts;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// S3 Control's job API on the wire (<c>/v20180820/jobs</c>, namespaced XML, <c>x-amz-account-id</c>) and COS batch
/// processing's (<c>/jobs</c>, <c>x-cos-appid</c>): raw documents in, exact documents out, jobs run by the server.
/// </summary>
public sealed class BatchJobApiTests() : ServerTestBase("jobsrc")
{
    private static readonly XNamespace Ns = "http://awss3control.amazonaws.com/doc/2018-08-20/";
    private readonly string _reports = TestServer.BucketName("jobrep");
    private readonly string _othersBucket = TestServer.BucketName("jobother", TestAccounts.Other);

    protected override async Task SeedAsync()
    {
        await Server.CreateBucketAsync(_reports);
    }

    [Fact]
    public async Task CreateJob_TagsEveryListedObject_AndWritesTheCompletionReport()
    {
        await PutAsync("a.txt", "b/c d.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n{Bucket},b/c%20d.txt\n{Bucket},missing.txt\n");

        var created = await SendAsync(HttpMethod.Post, "", body: CreateJobXml(manifest, "token-1", TaggingOperation(("team", "blue"))));
        created.StatusCode.Should().Be(HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        var result = XDocument.Parse(await created.Content.ReadAsStringAsync()).Root!;
        result.Name.Should().Be(Ns + "CreateJobResult");
        var jobId = result.Element(Ns + "JobId")!.Value;

        var job = await WaitForAsync(jobId, "Complete");
        var progress = job.Element(Ns + "ProgressSummary")!;
        progress.Element(Ns + "TotalNumberOfTasks")!.Value.Should().Be("3");
        progress.Element(Ns + "NumberOfTasksSucceeded")!.Value.Should().Be("2");
        progress.Element(Ns + "NumberOfTasksFailed")!.Value.Should().Be("1");
        job.Element(Ns + "JobArn")!.Value.Should().Be($"arn:aws:s3:{TestServer.Region}:{TestAccounts.Owner.Uin}:job/{jobId}");
        job.Element(Ns + "Operation")!.Element(Ns + "S3PutObjectTagging")!.Element(Ns + "TagSet")!.Element(Ns + "member")!
            .Element(Ns + "Key")!.Value.Should().Be("team");
        job.Element(Ns + "TerminationDate").Should().NotBeNull();

        foreach (var key in new[] { "a.txt", "b/c d.txt" })
        {
            var tagging = await S3.SendAsync(HttpMethod.Get, Bucket, key, "tagging");
            (await tagging.Content.ReadAsStringAsync()).Should().Contain("<Key>team</Key><Value>blue</Value>");
        }

        var reportManifest = await GetTextAsync(_reports, $"reports/job-{jobId}/manifest.json");
        reportManifest.Should().Contain("\"TaskExecutionStatus\": \"succeeded\"").And.Contain("\"TaskExecutionStatus\": \"failed\"");
        var failedKey = System.Text.Json.JsonDocument.Parse(reportManifest).RootElement.GetProperty("Results").EnumerateArray()
            .Single(r => r.GetProperty("TaskExecutionStatus").GetString() == "failed").GetProperty("Key").GetString()!;
        (await GetTextAsync(_reports, failedKey)).Should().Be($"\"{Bucket}\",\"missing.txt\",\"\",\"failed\",\"NoSuchKey\",\"404\",\"The specified key does not exist.\"\n");
    }

    [Fact]
    public async Task CreateJob_S3DeleteObject_DeletesEveryListedObject()
    {
        await PutAsync("gone-1.txt", "gone-2.txt", "kept.txt");
        var manifest = await PutManifestAsync($"{Bucket},gone-1.txt\n{Bucket},gone-2.txt\n");

        var jobId = await CreateAsync(CreateJobXml(manifest, "token-delete", "<S3DeleteObject/>"));

        var job = await WaitForAsync(jobId, "Complete");
        job.Element(Ns + "ProgressSummary")!.Element(Ns + "NumberOfTasksSucceeded")!.Value.Should().Be("2");
        (await S3.SendAsync(HttpMethod.Head, Bucket, "gone-1.txt")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await S3.SendAsync(HttpMethod.Head, Bucket, "gone-2.txt")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await S3.SendAsync(HttpMethod.Head, Bucket, "kept.txt")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CreateJob_S3DeleteObject_FailsTheTaskOfALockedVersion_WithAccessDenied_AndKeepsIt()
    {
        var locked = TestServer.BucketName("joblock");
        (await S3.SendAsync(HttpMethod.Put, locked, headers: [new("x-amz-bucket-object-lock-enabled", "true")])).StatusCode.Should().Be(HttpStatusCode.OK);
        var held = await S3.SendAsync(HttpMethod.Put, locked, "held.txt", body: [1],
            headers: [new("x-amz-object-lock-legal-hold", "ON"), new("Content-MD5", Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(new byte[] { 1 })))]);
        held.StatusCode.Should().Be(HttpStatusCode.OK);
        var version = held.Headers.GetValues("x-amz-version-id").Single();
        var manifest = await PutManifestAsync($"{locked},held.txt,{version}\n");

        var jobId = await CreateAsync(CreateJobXml(manifest, "token-locked", "<S3DeleteObject/>", fields: ["Bucket", "Key", "VersionId"]));

        var job = await WaitForAsync(jobId, "Complete");
        job.Element(Ns + "ProgressSummary")!.Element(Ns + "NumberOfTasksFailed")!.Value.Should().Be("1");
        var reportManifest = System.Text.Json.JsonDocument.Parse(await GetTextAsync(_reports, $"reports/job-{jobId}/manifest.json")).RootElement;
        var failed = reportManifest.GetProperty("Results").EnumerateArray().Single().GetProperty("Key").GetString()!;
        (await GetTextAsync(_reports, failed)).Should().Be(
            $"\"{locked}\",\"held.txt\",\"{version}\",\"failed\",\"AccessDenied\",\"403\",\"Access Denied because object protected by object lock.\"\n");
        (await S3.SendAsync(HttpMethod.Head, locked, "held.txt", $"versionId={version}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CreateJob_OnARequesterPaysBucket_FailsAnotherAccountsTasks_WithAccessDenied_AndRunsTheOwners()
    {
        await PutAsync("a.txt");
        await AllowOtherAsync("s3:PutObjectTagging");
        await MakeRequesterPaysAsync();
        await CreateOthersBucketAsync();
        // The other account's job reads its manifest from, and writes its report to, a bucket of its own.
        var othersManifest = await PutManifestAsync($"{Bucket},a.txt\n", TestAccounts.Other);

        var foreign = await CreateAsync(CreateJobXml(othersManifest, "token-payer-other", TaggingOperation(("by", "other")), reportBucket: _othersBucket),
            TestAccounts.Other);

        var job = await WaitForAsync(foreign, "Complete", TestAccounts.Other);
        job.Element(Ns + "ProgressSummary")!.Element(Ns + "NumberOfTasksFailed")!.Value.Should().Be("1", "a job cannot say its creator agrees to pay");
        var reportManifest = System.Text.Json.JsonDocument.Parse(
            await GetTextAsync(_othersBucket, $"reports/job-{foreign}/manifest.json", TestAccounts.Other)).RootElement;
        var failed = reportManifest.GetProperty("Results").EnumerateArray().Single().GetProperty("Key").GetString()!;
        (await GetTextAsync(_othersBucket, failed, TestAccounts.Other)).Should().Be(
            $"\"{Bucket}\",\"a.txt\",\"\",\"failed\",\"AccessDenied\",\"403\",\"Access Denied. The job's creator may not do this to this object.\"\n");
        (await TagsOfAsync("a.txt")).Should().NotContain("<Key>by</Key>");

        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        var own = await CreateAsync(CreateJobXml(manifest, "token-payer-owner", TaggingOperation(("by", "owner"))));
        (await WaitForAsync(own, "Complete")).Element(Ns + "ProgressSummary")!.Element(Ns + "NumberOfTasksSucceeded")!.Value.Should().Be("1");
        (await TagsOfAsync("a.txt")).Should().Contain("<Key>by</Key><Value>owner</Value>");
    }

    [Fact]
    public async Task CreateJob_S3PutObjectCopy_FromARequesterPaysBucket_RunsForAnotherAccount_OnlyWhenItSaysRequesterPays()
    {
        await PutAsync("a.txt");
        await AllowOtherAsync("s3:GetObject");
        await MakeRequesterPaysAsync();
        var target = TestServer.BucketName("jobpay", TestAccounts.Other);
        (await S3.SendAsync(HttpMethod.Put, target, account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK);
        await CreateOthersBucketAsync();
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n", TestAccounts.Other);
        string Copy(string agreement) => $"<S3PutObjectCopy><TargetResource>arn:aws:s3:::{target}</TargetResource>{agreement}</S3PutObjectCopy>";

        var unpaid = await CreateAsync(CreateJobXml(manifest, "token-copy-unpaid", Copy(""), reportBucket: _othersBucket), TestAccounts.Other);
        (await WaitForAsync(unpaid, "Complete", TestAccounts.Other)).Element(Ns + "ProgressSummary")!.Element(Ns + "NumberOfTasksFailed")!.Value.Should().Be("1");
        (await S3.SendAsync(HttpMethod.Head, target, "a.txt", account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var paid = await CreateAsync(CreateJobXml(manifest, "token-copy-paid", Copy("<RequesterPays>true</RequesterPays>"), reportBucket: _othersBucket),
            TestAccounts.Other);
        var job = await WaitForAsync(paid, "Complete", TestAccounts.Other);
        job.Element(Ns + "ProgressSummary")!.Element(Ns + "NumberOfTasksSucceeded")!.Value.Should().Be("1");
        job.Element(Ns + "Operation")!.Element(Ns + "S3PutObjectCopy")!.Element(Ns + "RequesterPays")!.Value.Should().Be("true");
        (await S3.SendAsync(HttpMethod.Head, target, "a.txt", account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CreateJob_ByAnotherAccount_WithAManifestItMayNotRead_FailsWithAccessDenied_AndRunsNoTask()
    {
        await PutAsync("a.txt");
        // The other account may tag the objects, but not read the owner's manifest.
        await AllowOtherAsync("s3:PutObjectTagging");
        await CreateOthersBucketAsync();
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");

        var jobId = await CreateAsync(CreateJobXml(manifest, "token-foreign-manifest", TaggingOperation(("by", "other")), reportBucket: _othersBucket),
            TestAccounts.Other);

        var job = await WaitForAsync(jobId, "Failed", TestAccounts.Other);
        var reason = job.Element(Ns + "FailureReasons")!.Element(Ns + "member")!;
        reason.Element(Ns + "FailureCode")!.Value.Should().Be("AccessDenied");
        reason.Element(Ns + "FailureReason")!.Value.Should().Contain("may not read the manifest");
        job.Element(Ns + "ProgressSummary")!.Element(Ns + "TotalNumberOfTasks")!.Value.Should().Be("0");
        (await TagsOfAsync("a.txt")).Should().NotContain("<Tag>", "no task ran");
        (await S3.SendAsync(HttpMethod.Head, _othersBucket, $"reports/job-{jobId}/manifest.json", account: TestAccounts.Other)).StatusCode
            .Should().Be(HttpStatusCode.NotFound, "no report echoes the manifest's rows");
    }

    [Fact]
    public async Task CreateJob_ByAnotherAccount_WithAManifestItMayNotRead_AnswersAlike_WhetherItExistsOrItsETagMatches()
    {
        await AllowOtherAsync("s3:PutObjectTagging");
        await CreateOthersBucketAsync();
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        var absent = manifest with { Key = "manifests/absent.csv" };
        var stale = manifest with { ETag = "\"0123456789abcdef0123456789abcdef\"" };

        // The owner is told what is wrong; the other account, which may not read the manifest, is told nothing of it.
        var ownersTry = await SendAsync(HttpMethod.Post, "", body: CreateJobXml(absent, "token-owner-absent", TaggingOperation(("k", "v"))));
        await ownersTry.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        var reasons = await OthersAccessDeniedReasonsAsync((manifest, "token-unread-real"), (absent, "token-unread-absent"), (stale, "token-unread-stale"));

        reasons.Distinct().Should().ContainSingle("the same failure, whatever the manifest is");
    }

    [Fact]
    public async Task CreateJob_ByAnotherAccount_ThatMayReadTheBucketButNotListIt_FailsAlike_WhetherTheManifestExistsOrNot()
    {
        await CreateOthersBucketAsync();
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        // The bucket's ACL lets the other account read what has no ACL of its own (a key that is not there); its policy
        // refuses it the listing. The manifest, written with its own private ACL, is not the other account's to read.
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "acl", headers: [new("x-amz-grant-read", $"id=\"{TestAccounts.Other.Uin}\"")]))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        var policy = $$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::{{{TestAccounts.Other.Uin}}}:root"},
              "Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::{{{Bucket}}}"]}]}
            """;
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "policy", body: Encoding.UTF8.GetBytes(policy))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var reasons = await OthersAccessDeniedReasonsAsync((manifest, "token-acl-real"), (manifest with { Key = "manifests/absent.csv" }, "token-acl-absent"));

        reasons.Distinct().Should().ContainSingle("a missing key is told as missing only to whoever may list it");
    }

    [Fact]
    public async Task CreateJob_ByAnotherAccount_WithItsReportInABucketItMayNotWrite_FailsWithAccessDenied_AndWritesNothingThere()
    {
        await CreateOthersBucketAsync();
        (await S3.SendAsync(HttpMethod.Put, _othersBucket, "a.txt", body: [1], account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK);
        var manifest = await PutManifestAsync($"{_othersBucket},a.txt\n", TestAccounts.Other);

        var jobId = await CreateAsync(CreateJobXml(manifest, "token-foreign-report", TaggingOperation(("by", "other"))), TestAccounts.Other);

        var job = await WaitForAsync(jobId, "Failed", TestAccounts.Other);
        var reason = job.Element(Ns + "FailureReasons")!.Element(Ns + "member")!;
        reason.Element(Ns + "FailureCode")!.Value.Should().Be("AccessDenied");
        reason.Element(Ns + "FailureReason")!.Value.Should().Contain("may not write its completion report");
        var listed = await S3.SendAsync(HttpMethod.Get, _reports);
        (await listed.Content.ReadAsStringAsync()).Should().NotContain("<Key>", "nothing is written into the owner's bucket");
        var tagging = await S3.SendAsync(HttpMethod.Get, _othersBucket, "a.txt", "tagging", account: TestAccounts.Other);
        (await tagging.Content.ReadAsStringAsync()).Should().NotContain("<Tag>", "the job fails before any task runs, as S3 checks the report bucket first");
    }

    [Fact]
    public async Task CreateJob_ByAnotherAccount_WhoseReportRightIsWithdrawnBeforeItRuns_FailsWithAccessDenied_AfterItsTasks_WithNoReport()
    {
        await CreateOthersBucketAsync();
        (await S3.SendAsync(HttpMethod.Put, _othersBucket, "a.txt", body: [1], account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK);
        var manifest = await PutManifestAsync($"{_othersBucket},a.txt\n", TestAccounts.Other);
        await AllowOtherAsync("s3:PutObject", _reports);
        var jobId = await CreateAsync(CreateJobXml(manifest, "token-withdrawn-report", TaggingOperation(("by", "other")), confirm: true), TestAccounts.Other);
        await WaitForAsync(jobId, "Suspended", TestAccounts.Other);

        (await S3.SendAsync(HttpMethod.Delete, _reports, query: "policy")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await SendAsync(HttpMethod.Post, $"/{jobId}/status", "requestedJobStatus=Ready", account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK);

        var job = await WaitForAsync(jobId, "Failed", TestAccounts.Other);
        job.Element(Ns + "FailureReasons")!.Element(Ns + "member")!.Element(Ns + "FailureCode")!.Value.Should().Be("AccessDenied");
        job.Element(Ns + "ProgressSummary")!.Element(Ns + "NumberOfTasksSucceeded")!.Value.Should().Be("1");
        var listed = await S3.SendAsync(HttpMethod.Get, _reports);
        (await listed.Content.ReadAsStringAsync()).Should().NotContain("<Key>", "each report file is checked just before it is written");
    }

    [Fact]
    public async Task CreateJob_S3ComputeObjectChecksum_ReportsEachObjectsChecksum()
    {
        (await Server.PutObjectAsync(Bucket, "sum.txt", Encoding.ASCII.GetBytes("123456789"))).EnsureSuccessStatusCode();
        var manifest = await PutManifestAsync($"{Bucket},sum.txt\n");

        var jobId = await CreateAsync(CreateJobXml(manifest, "token-checksum",
            "<S3ComputeObjectChecksum><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType></S3ComputeObjectChecksum>"));

        await WaitForAsync(jobId, "Complete");
        var reportManifest = System.Text.Json.JsonDocument.Parse(await GetTextAsync(_reports, $"reports/job-{jobId}/manifest.json")).RootElement;
        var succeeded = reportManifest.GetProperty("Results").EnumerateArray().Single().GetProperty("Key").GetString()!;
        // CRC-32 of "123456789" is 0xCBF43926 (the check value of the standard), base64 as S3 writes checksums.
        (await GetTextAsync(_reports, succeeded)).Should().Be($"\"{Bucket}\",\"sum.txt\",\"\",\"succeeded\",\"\",\"200\",\"y/Q5Jg==\"\n");
    }

    [Fact]
    public async Task CreateJob_RetriedWithTheSameToken_AnswersTheSameJob_AndAnotherDocumentConflicts()
    {
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        var body = CreateJobXml(manifest, "token-retry", TaggingOperation(("k", "v")), confirm: true);

        var first = await CreateAsync(body);
        var second = await CreateAsync(body);
        second.Should().Be(first);

        var conflict = await SendAsync(HttpMethod.Post, "", body: CreateJobXml(manifest, "token-retry", TaggingOperation(("k", "other")), confirm: true));
        await conflict.ShouldBeErrorAsync(HttpStatusCode.Conflict, "IdempotencyException", Dialect.S3);
    }

    [Fact]
    public async Task UpdateJobStatus_ConfirmsASuspendedJob_AndPriorityAndListFollow()
    {
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        var jobId = await CreateAsync(CreateJobXml(manifest, "token-confirm", TaggingOperation(("k", "v")), confirm: true));
        await WaitForAsync(jobId, "Suspended");

        var priority = await SendAsync(HttpMethod.Post, $"/{jobId}/priority", "priority=42");
        var priorityResult = XDocument.Parse(await priority.Content.ReadAsStringAsync()).Root!;
        priorityResult.Name.Should().Be(Ns + "UpdateJobPriorityResult");
        priorityResult.Element(Ns + "Priority")!.Value.Should().Be("42");

        var suspended = XDocument.Parse(await (await SendAsync(HttpMethod.Get, "", "jobStatuses=Suspended")).Content.ReadAsStringAsync()).Root!;
        var listed = suspended.Element(Ns + "Jobs")!.Elements(Ns + "member").Single();
        listed.Element(Ns + "JobId")!.Value.Should().Be(jobId);
        listed.Element(Ns + "Operation")!.Value.Should().Be("S3PutObjectTagging");
        listed.Element(Ns + "Priority")!.Value.Should().Be("42");
        var complete = XDocument.Parse(await (await SendAsync(HttpMethod.Get, "", "jobStatuses=Complete")).Content.ReadAsStringAsync()).Root!;
        complete.Element(Ns + "Jobs")!.Elements().Should().BeEmpty();

        var confirmed = await SendAsync(HttpMethod.Post, $"/{jobId}/status", "requestedJobStatus=Ready&statusUpdateReason=looked");
        var status = XDocument.Parse(await confirmed.Content.ReadAsStringAsync()).Root!;
        status.Name.Should().Be(Ns + "UpdateJobStatusResult");
        status.Element(Ns + "Status")!.Value.Should().Be("Ready");
        status.Element(Ns + "StatusUpdateReason")!.Value.Should().Be("looked");
        await WaitForAsync(jobId, "Complete");

        var again = await SendAsync(HttpMethod.Post, $"/{jobId}/status", "requestedJobStatus=Cancelled");
        await again.ShouldBeErrorAsync(HttpStatusCode.Conflict, "JobStatusException", Dialect.S3);
    }

    [Fact]
    public async Task UpdateJobStatus_CancelsASuspendedJob_WithoutRunningIt()
    {
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        var jobId = await CreateAsync(CreateJobXml(manifest, "token-cancel", TaggingOperation(("k", "v")), confirm: true));
        await WaitForAsync(jobId, "Suspended");

        var tooLong = await SendAsync(HttpMethod.Post, $"/{jobId}/status", "requestedJobStatus=Cancelled&statusUpdateReason=" + new string('r', 257));
        (await tooLong.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3)).Element("Message")!.Value
            .Should().Be("StatusUpdateReason may be at most 256 characters.", "S3 Control's limit");
        await WaitForAsync(jobId, "Suspended");
        var cancelled = await SendAsync(HttpMethod.Post, $"/{jobId}/status", "requestedJobStatus=Cancelled&statusUpdateReason=" + new string('r', 256));
        XDocument.Parse(await cancelled.Content.ReadAsStringAsync()).Root!.Element(Ns + "Status")!.Value.Should().Be("Cancelled");
        await WaitForAsync(jobId, "Cancelled");
        var tagging = await S3.SendAsync(HttpMethod.Get, Bucket, "a.txt", "tagging");
        (await tagging.Content.ReadAsStringAsync()).Should().Contain("<TagSet />").And.NotContain("<Key>k</Key>");
    }

    [Fact]
    public async Task JobTagging_PutGetDelete_RoundTrips()
    {
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        var jobId = await CreateAsync(CreateJobXml(manifest, "token-tags", TaggingOperation(("k", "v")), confirm: true));

        var put = await SendAsync(HttpMethod.Put, $"/{jobId}/tagging", body: Encoding.UTF8.GetBytes(
            $"<PutJobTaggingRequest xmlns=\"{Ns}\"><Tags><member><Key>owner</Key><Value>ops</Value></member></Tags></PutJobTaggingRequest>"));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var got = XDocument.Parse(await (await SendAsync(HttpMethod.Get, $"/{jobId}/tagging")).Content.ReadAsStringAsync()).Root!;
        got.ToString(SaveOptions.DisableFormatting).Should().Be(
            $"<GetJobTaggingResult xmlns=\"{Ns}\"><Tags><member><Key>owner</Key><Value>ops</Value></member></Tags></GetJobTaggingResult>");

        (await SendAsync(HttpMethod.Delete, $"/{jobId}/tagging")).StatusCode.Should().Be(HttpStatusCode.OK);
        var empty = XDocument.Parse(await (await SendAsync(HttpMethod.Get, $"/{jobId}/tagging")).Content.ReadAsStringAsync()).Root!;
        empty.Element(Ns + "Tags")!.Elements().Should().BeEmpty();
    }

    [Fact]
    public async Task Requests_WithoutOrWithAnotherAccountId_AreRefused()
    {
        var missing = await S3.SendAsync(S3.RequestAt(HttpMethod.Get, "/v20180820/jobs"));
        await missing.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);

        var other = await S3.SendAsync(S3.RequestAt(HttpMethod.Get, "/v20180820/jobs", headers: [new("x-amz-account-id", TestAccounts.Other.Uin)]));
        await other.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);

        var unknown = await SendAsync(HttpMethod.Get, "/0b6f7a9e-0000-4000-8000-000000000000");
        await unknown.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NotFoundException", Dialect.S3);
    }

    [Fact]
    public async Task Requests_ToAnotherAccountsControlHost_AreRefused_NamingThatAccount()
    {
        var appId = new[] { new KeyValuePair<string, string>("x-cos-appid", TestAccounts.Owner.AppId) };
        var control = $"{TestAccounts.Other.Uin}.cos-control.{TestServer.Region}.myqcloud.com";

        var refused = await Server.SendAsync(Server.Client.Request(HttpMethod.Get, null, "jobs", headers: appId, host: control));

        var error = await refused.ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        error.Element("Message")!.Value.Should().Be($"Access Denied. The control host names account {TestAccounts.Other.Uin}; the key belongs to {TestAccounts.Owner.Uin}.");
    }

    [Fact]
    public async Task DescribeJob_OfAnotherAccountsJob_IsNotFound()
    {
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        var jobId = await CreateAsync(CreateJobXml(manifest, "token-private", TaggingOperation(("k", "v")), confirm: true));

        var foreign = await S3.SendAsync(S3.RequestAt(HttpMethod.Get, $"/v20180820/jobs/{jobId}",
            headers: [new("x-amz-account-id", TestAccounts.Other.Uin)], account: TestAccounts.Other));
        await foreign.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NotFoundException", Dialect.S3);
    }

    [Fact]
    public async Task CreateJob_WithAnUnimplementedOperation_IsNotImplemented_AndABadManifestEtagIsRefused()
    {
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        var restore = await SendAsync(HttpMethod.Post, "", body: CreateJobXml(manifest, "token-restore",
            "<S3InitiateRestoreObject><ExpirationInDays>1</ExpirationInDays></S3InitiateRestoreObject>"));
        await restore.ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented", Dialect.S3);

        var stale = await SendAsync(HttpMethod.Post, "", body: CreateJobXml(manifest with { ETag = "\"0123456789abcdef0123456789abcdef\"" }, "token-etag",
            TaggingOperation(("k", "v"))));
        await stale.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
    }

    [Theory]
    [InlineData("<S3PutObjectCopy><TargetResource>arn:aws:s3:::BUCKET</TargetResource><ModifiedSinceConstraint>2099-01-01T00:00:00Z</ModifiedSinceConstraint></S3PutObjectCopy>")]
    [InlineData("<S3PutObjectCopy><TargetResource>arn:aws:s3:::BUCKET</TargetResource><ObjectLockLegalHoldStatus>ON</ObjectLockLegalHoldStatus></S3PutObjectCopy>")]
    [InlineData("<S3PutObjectCopy><TargetResource>arn:aws:s3:::BUCKET</TargetResource><AccessControlGrants><member><Permission>READ</Permission></member></AccessControlGrants></S3PutObjectCopy>")]
    [InlineData("<S3PutObjectCopy><TargetResource>arn:aws:s3:::BUCKET</TargetResource><MetadataDirective>REPLACE</MetadataDirective><NewObjectMetadata><CacheControl>no-store</CacheControl></NewObjectMetadata></S3PutObjectCopy>")]
    [InlineData("<S3PutObjectCopy><TargetResource>arn:aws:s3:::BUCKET</TargetResource><ChecksumAlgorithm>SHA256</ChecksumAlgorithm></S3PutObjectCopy>")]
    [InlineData("<S3ComputeObjectChecksum><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>COMPOSITE</ChecksumType></S3ComputeObjectChecksum>")]
    [InlineData("<S3ComputeObjectChecksum><ChecksumAlgorithm>MD5</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType></S3ComputeObjectChecksum>")]
    public async Task CreateJob_AskingWhatItsOperationDoesNotDo_IsNotImplemented_RatherThanCopiesMadeOtherwise(string operation)
    {
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");

        var refused = await SendAsync(HttpMethod.Post, "", body: CreateJobXml(manifest, "token-unapplied", operation.Replace("BUCKET", Bucket, StringComparison.Ordinal)));

        await refused.ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented", Dialect.S3);
        await ShouldHaveNoJobsAsync();
    }

    [Fact]
    public async Task CreateJob_CopyWithMetadataNoHeaderCanCarry_IsInvalidRequest_AndCreatesNoJob()
    {
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        var copy = $"<S3PutObjectCopy><TargetResource>arn:aws:s3:::{Bucket}</TargetResource><TargetKeyPrefix>c/</TargetKeyPrefix>" +
            "<MetadataDirective>REPLACE</MetadataDirective><NewObjectMetadata><UserMetadata><entry><key>my key</key><value>v</value></entry>" +
            "</UserMetadata></NewObjectMetadata></S3PutObjectCopy>";

        await (await SendAsync(HttpMethod.Post, "", body: CreateJobXml(manifest, "token-bad-meta", copy))).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        await ShouldHaveNoJobsAsync();
    }

    [Fact]
    public async Task CreateJob_WithAManifestGenerator_IsNotImplemented()
    {
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        var body = Encoding.UTF8.GetString(CreateJobXml(manifest, "token-generator", TaggingOperation(("k", "v"))))
            .Replace("<Manifest>", "<ManifestGenerator><S3JobManifestGenerator><SourceBucket>arn:aws:s3:::x</SourceBucket></S3JobManifestGenerator></ManifestGenerator><Manifest>",
                StringComparison.Ordinal);

        await (await SendAsync(HttpMethod.Post, "", body: Encoding.UTF8.GetBytes(body))).ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented", Dialect.S3);
        await ShouldHaveNoJobsAsync();
    }

    [Fact]
    public async Task CreateJob_WithAManifestRowLongerThanAnyKey_FailsWithInvalidManifestContent_WithoutHoldingTheRow()
    {
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n{Bucket},{new string('k', 70_000)}\n");

        var jobId = await CreateAsync(CreateJobXml(manifest, "token-long-row", TaggingOperation(("k", "v"))));

        var job = await WaitForAsync(jobId, "Failed");
        var reason = job.Element(Ns + "FailureReasons")!.Element(Ns + "member")!;
        reason.Element(Ns + "FailureCode")!.Value.Should().Be("InvalidManifestContent");
        reason.Element(Ns + "FailureReason")!.Value.Should().StartWith("Row 2 of ").And.EndWith("is longer than 65536 characters.");
        (await TagsOfAsync("a.txt")).Should().NotContain("<Tag>", "no task ran");
    }

    [Fact]
    public async Task CreateJob_OnAnInventoryReportS3Wrote_ReadsAPlusInAKeyAsTheSpaceS3EncodedThatWay()
    {
        await PutAsync("x y.txt", "x+y.txt");
        // S3 Inventory writes keys form-encoded: "x y.txt" as x+y.txt, "x+y.txt" as x%2By.txt.
        var body = await InventoryTaggingJobXmlAsync("plus", Gzip(Encoding.UTF8.GetBytes($"\"{Bucket}\",\"x+y.txt\"\n")), "token-plus");

        await WaitForAsync(await CreateAsync(body), "Complete");

        (await TagsOfAsync("x y.txt")).Should().Contain("<Key>k</Key>");
        (await TagsOfAsync("x+y.txt")).Should().NotContain("<Tag>");
    }

    [Fact]
    public async Task CosCreateJob_CopyReplacingMetadata_TakesItsUserMetadataAsCosListsIt()
    {
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        var body = $"""
            <CreateJobRequest><ClientRequestToken>cos-copy</ClientRequestToken><ConfirmationRequired>false</ConfirmationRequired>
            <Manifest><Location><ETag>{manifest.ETag}</ETag><ObjectArn>qcs::cos:{TestServer.Region}::{Bucket}/{manifest.Key}</ObjectArn></Location>
            <Spec><Fields><member>Bucket</member><member>Key</member></Fields><Format>COSBatchOperations_CSV_V1</Format></Spec></Manifest>
            <Operation><COSPutObjectCopy><TargetResource>qcs::cos:{TestServer.Region}::{Bucket}</TargetResource><TargetKeyPrefix>copied/</TargetKeyPrefix>
            <MetadataDirective>Replaced</MetadataDirective><NewObjectMetadata><ContentType>application/x-cos</ContentType>
            <UserMetadata><member><Key>x-cos-meta-colour</Key><Value>blue</Value></member><member><Key>shape</Key><Value>round</Value></member></UserMetadata>
            </NewObjectMetadata></COSPutObjectCopy></Operation>
            <Priority>1</Priority><Report><Enabled>false</Enabled></Report></CreateJobRequest>
            """;
        var created = await Server.SendAsync(CosJobs(HttpMethod.Post, "jobs", body));
        created.StatusCode.Should().Be(HttpStatusCode.OK, await created.Content.ReadAsStringAsync());

        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpResponseMessage head;
        while ((head = await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "copied/a.txt"))).StatusCode != HttpStatusCode.OK
            && DateTime.UtcNow < deadline && await Delay())
        {
        }

        head.StatusCode.Should().Be(HttpStatusCode.OK);
        head.Content.Headers.ContentType!.MediaType.Should().Be("application/x-cos");
        head.Headers.GetValues("x-cos-meta-colour").Should().Equal("blue");
        head.Headers.GetValues("x-cos-meta-shape").Should().Equal("round");
    }

    [Fact]
    public async Task CreateJob_WithAMissingReportBucket_IsInvalidRequest_AndCreatesNoJob()
    {
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        var body = Encoding.UTF8.GetString(CreateJobXml(manifest, "token-no-report-bucket", TaggingOperation(("k", "v"))))
            .Replace($"arn:aws:s3:::{_reports}", "arn:aws:s3:::nowhere-1250000000", StringComparison.Ordinal);

        var refused = await SendAsync(HttpMethod.Post, "", body: Encoding.UTF8.GetBytes(body));

        var error = await refused.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        error.Element("Message")!.Value.Should().Be("The report bucket 'nowhere-1250000000' does not exist.");
        await ShouldHaveNoJobsAsync();
        (await TagsOfAsync("a.txt")).Should().NotContain("<Tag>", "no task ran");
    }

    [Fact]
    public async Task CreateJob_WithAnUnknownOperation_IsInvalidRequest_AndCreatesNoJob()
    {
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");

        var refused = await SendAsync(HttpMethod.Post, "", body: CreateJobXml(manifest, "token-unknown-operation", "<S3PolishObject><Shine>high</Shine></S3PolishObject>"));

        await refused.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        await ShouldHaveNoJobsAsync();
    }

    [Fact]
    public async Task CreateJob_WithAMalformedCsvRow_FailsTheJob_WithInvalidManifestContent_BeforeAnyTaskRuns()
    {
        await PutAsync("a.txt", "b.txt");
        // The second row has three fields where the manifest names two: the whole manifest is refused, the first row too.
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n{Bucket},b.txt,extra\n");

        var jobId = await CreateAsync(CreateJobXml(manifest, "token-malformed-row", TaggingOperation(("k", "v"))));

        var job = await WaitForAsync(jobId, "Failed");
        var reason = job.Element(Ns + "FailureReasons")!.Element(Ns + "member")!;
        reason.Element(Ns + "FailureCode")!.Value.Should().Be("InvalidManifestContent");
        reason.Element(Ns + "FailureReason")!.Value.Should().StartWith("Row 2 of ");
        var progress = job.Element(Ns + "ProgressSummary")!;
        progress.Element(Ns + "TotalNumberOfTasks")!.Value.Should().Be("0");
        progress.Element(Ns + "NumberOfTasksSucceeded")!.Value.Should().Be("0");
        (await TagsOfAsync("a.txt")).Should().NotContain("<Tag>", "no task ran");
        (await TagsOfAsync("b.txt")).Should().NotContain("<Tag>", "no task ran");
        (await S3.SendAsync(HttpMethod.Head, _reports, $"reports/job-{jobId}/manifest.json")).StatusCode.Should().Be(HttpStatusCode.NotFound,
            "a job in which no task ran writes no report");
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/./b")]
    [InlineData("..")]
    [InlineData("513 characters")]
    public async Task CreateJob_WithAReportPrefixNoKeyMayStartWith_IsInvalidRequest_AndCreatesNoJob(string prefix)
    {
        prefix = prefix == "513 characters" ? new string('p', 513) : prefix;
        // Refused at once: a job that failed for it only once its tasks had run would have done the work and reported none.
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        var body = Encoding.UTF8.GetString(CreateJobXml(manifest, "token-dot-prefix", TaggingOperation(("k", "v"))))
            .Replace("<Prefix>reports</Prefix>", $"<Prefix>{prefix}</Prefix>", StringComparison.Ordinal);

        var refused = await SendAsync(HttpMethod.Post, "", body: Encoding.UTF8.GetBytes(body));

        var error = await refused.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        error.Element("Message")!.Value.Should().Be("The report's Prefix must be at most 512 characters, with no '.' or '..' path segment.");
        await ShouldHaveNoJobsAsync();
        (await TagsOfAsync("a.txt")).Should().NotContain("<Tag>", "no task ran");
    }

    [Fact]
    public async Task CreateJob_OnAnInventoryReportWhoseDataFileIsNotGzip_FailsWithInvalidManifestContent_BeforeAnyTaskRuns()
    {
        await PutAsync("a.txt");
        var rows = Encoding.UTF8.GetBytes($"\"{Bucket}\",\"a.txt\"\n"); // the rows, but never gzipped

        var jobId = await CreateAsync(await InventoryTaggingJobXmlAsync("file", rows, "token-not-gzip"));

        var job = await WaitForAsync(jobId, "Failed");
        var reason = job.Element(Ns + "FailureReasons")!.Element(Ns + "member")!;
        reason.Element(Ns + "FailureCode")!.Value.Should().Be("InvalidManifestContent");
        reason.Element(Ns + "FailureReason")!.Value.Should().StartWith("The report file inventory/data/file.csv.gz is not gzip, as its manifest says");
        (await TagsOfAsync("a.txt")).Should().NotContain("<Tag>", "no task ran");
    }

    [Fact]
    public async Task CosCreateJob_OnJobsPath_RunsInTheCosDialect()
    {
        await PutAsync("a.txt");
        var manifest = await PutManifestAsync($"{Bucket},a.txt\n");
        var body = $"""
            <CreateJobRequest><ClientRequestToken>cos-token</ClientRequestToken><ConfirmationRequired>false</ConfirmationRequired>
            <Manifest><Location><ETag>{manifest.ETag}</ETag><ObjectArn>qcs::cos:{TestServer.Region}::{Bucket}/{manifest.Key}</ObjectArn></Location>
            <Spec><Fields><member>Bucket</member><member>Key</member></Fields><Format>COSBatchOperations_CSV_V1</Format></Spec></Manifest>
            <Operation><COSPutObjectTagging><TagSet><member><Key>cos</Key><Value>yes</Value></member></TagSet></COSPutObjectTagging></Operation>
            <Priority>1</Priority><Report><Enabled>false</Enabled></Report></CreateJobRequest>
            """;
        var created = await Server.SendAsync(CosJobs(HttpMethod.Post, "jobs", body));
        var text = await created.Content.ReadAsStringAsync();
        created.StatusCode.Should().Be(HttpStatusCode.OK, text);
        var jobId = XDocument.Parse(text).Root!.Element("JobId")!.Value;

        XElement job;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            var described = await Server.SendAsync(CosJobs(HttpMethod.Get, $"jobs/{jobId}"));
            job = XDocument.Parse(await described.Content.ReadAsStringAsync()).Root!.Element("Job")!;
        }
        while (job.Element("Status")!.Value != "Complete" && DateTime.UtcNow < deadline && await Delay());

        job.Element("Status")!.Value.Should().Be("Complete");
        job.Element("JobArn")!.Value.Should().Be($"qcs::cos:{TestServer.Region}:uid/{TestAccounts.Owner.AppId}:job/{jobId}");
        job.Element("Operation")!.Element("COSPutObjectTagging").Should().NotBeNull();
        var tagging = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "a.txt", "tagging"));
        (await tagging.Content.ReadAsStringAsync()).Should().Contain("<Key>cos</Key><Value>yes</Value>");
    }

    /// <summary>
    /// A tagging job over an inventory report as S3 writes one: <paramref name="data"/> as its one data file
    /// (<c>inventory/data/NAME.csv.gz</c>, with its size and MD5) and a manifest naming it (<c>inventory/NAME.json</c>).
    /// </summary>
    private async Task<byte[]> InventoryTaggingJobXmlAsync(string name, byte[] data, string token)
    {
        var dataKey = $"inventory/data/{name}.csv.gz";
        (await S3.SendAsync(HttpMethod.Put, Bucket, dataKey, body: data)).EnsureSuccessStatusCode();
        var manifestJson = Encoding.UTF8.GetBytes($$"""
            {"sourceBucket":"{{Bucket}}","destinationBucket":"arn:aws:s3:::{{Bucket}}","version":"2016-11-30","fileFormat":"CSV","fileSchema":"Bucket, Key",
             "files":[{"key":"{{dataKey}}","size":{{data.Length}},"MD5checksum":"{{Convert.ToHexStringLower(MD5.HashData(data))}}"}]}
            """);
        var put = await S3.SendAsync(HttpMethod.Put, Bucket, $"inventory/{name}.json", body: manifestJson);
        put.EnsureSuccessStatusCode();
        var manifest = new ManifestObject(Bucket, $"inventory/{name}.json", put.Headers.ETag!.Tag);
        return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(CreateJobXml(manifest, token, TaggingOperation(("k", "v"))))
            .Replace("<Format>S3BatchOperations_CSV_20180820</Format><Fields><member>Bucket</member><member>Key</member></Fields>",
                "<Format>S3InventoryReport_CSV_20161130</Format>", StringComparison.Ordinal));
    }

    /// <summary>A request of COS batch processing by the owner: <c>/jobs…</c> on its cos-control host, with its APPID.</summary>
    private HttpRequestMessage CosJobs(HttpMethod method, string path, string? body = null) =>
        Server.Client.Request(method, null, path, content: body is null ? null : new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
            headers: [new("x-cos-appid", TestAccounts.Owner.AppId)], host: $"{TestAccounts.Owner.Uin}.cos-control.{TestServer.Region}.myqcloud.com");

    private static byte[] Gzip(byte[] data)
    {
        var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return compressed.ToArray();
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }

    private sealed record ManifestObject(string Bucket, string Key, string ETag);

    private async Task PutAsync(params string[] keys)
    {
        foreach (var key in keys)
        {
            (await Server.PutObjectAsync(Bucket, key, Encoding.UTF8.GetBytes("x"))).EnsureSuccessStatusCode();
        }
    }

    /// <summary>Puts a manifest into the bucket under test, or for the other account into its own bucket.</summary>
    private async Task<ManifestObject> PutManifestAsync(string csv, Account? account = null)
    {
        var bucket = account is null ? Bucket : _othersBucket;
        var key = $"manifests/{Guid.NewGuid():N}.csv";
        var put = await S3.SendAsync(HttpMethod.Put, bucket, key, body: Encoding.UTF8.GetBytes(csv), account: account);
        put.EnsureSuccessStatusCode();
        return new ManifestObject(bucket, key, put.Headers.ETag!.Tag);
    }

    private async Task CreateOthersBucketAsync() =>
        (await S3.SendAsync(HttpMethod.Put, _othersBucket, account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK);

    private static string TaggingOperation(params (string Key, string Value)[] tags) =>
        "<S3PutObjectTagging><TagSet>" + string.Concat(tags.Select(t => $"<member><Key>{t.Key}</Key><Value>{t.Value}</Value></member>")) +
        "</TagSet></S3PutObjectTagging>";

    private byte[] CreateJobXml(ManifestObject manifest, string token, string operation, bool confirm = false, string[]? fields = null,
        string? reportBucket = null) => Encoding.UTF8.GetBytes($"""
        <?xml version="1.0" encoding="UTF-8"?>
        <CreateJobRequest xmlns="{Ns}">
          <ConfirmationRequired>{(confirm ? "true" : "false")}</ConfirmationRequired>
          <Operation>{operation}</Operation>
          <Report><Bucket>arn:aws:s3:::{reportBucket ?? _reports}</Bucket><Format>Report_CSV_20180820</Format><Enabled>true</Enabled><Prefix>reports</Prefix><ReportScope>AllTasks</ReportScope></Report>
          <ClientRequestToken>{token}</ClientRequestToken>
          <Manifest>
            <Spec><Format>S3BatchOperations_CSV_20180820</Format><Fields>{string.Concat((fields ?? ["Bucket", "Key"]).Select(f => $"<member>{f}</member>"))}</Fields></Spec>
            <Location><ObjectArn>arn:aws:s3:::{manifest.Bucket}/{manifest.Key}</ObjectArn><ETag>{manifest.ETag}</ETag></Location>
          </Manifest>
          <Priority>10</Priority>
          <RoleArn>arn:aws:iam::{TestAccounts.Owner.Uin}:role/batch</RoleArn>
        </CreateJobRequest>
        """);

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string query = "", byte[]? body = null, Account? account = null) =>
        S3.SendAsync(S3.RequestAt(method, "/v20180820/jobs" + path, query, body, [new("x-amz-account-id", (account ?? TestAccounts.Owner).Uin)],
            account: account ?? TestAccounts.Owner));

    private async Task<string> CreateAsync(byte[] body, Account? account = null)
    {
        var created = await SendAsync(HttpMethod.Post, "", body: body, account: account);
        var text = await created.Content.ReadAsStringAsync();
        created.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return XDocument.Parse(text).Root!.Element(Ns + "JobId")!.Value;
    }

    /// <summary>
    /// The other account's tagging job over each manifest, each of which must fail with AccessDenied; their failure
    /// reasons, with the manifest's key (which the reason names as given) written KEY so that they compare.
    /// </summary>
    private async Task<List<string>> OthersAccessDeniedReasonsAsync(params (ManifestObject Manifest, string Token)[] jobs)
    {
        var reasons = new List<string>();
        foreach (var (manifest, token) in jobs)
        {
            var jobId = await CreateAsync(CreateJobXml(manifest, token, TaggingOperation(("by", "other")), reportBucket: _othersBucket), TestAccounts.Other);
            var reason = (await WaitForAsync(jobId, "Failed", TestAccounts.Other)).Element(Ns + "FailureReasons")!.Element(Ns + "member")!;
            reason.Element(Ns + "FailureCode")!.Value.Should().Be("AccessDenied");
            reasons.Add(reason.Element(Ns + "FailureReason")!.Value.Replace(manifest.Key, "KEY", StringComparison.Ordinal));
        }

        return reasons;
    }

    private async Task<XElement> WaitForAsync(string jobId, string status, Account? account = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var described = await SendAsync(HttpMethod.Get, "/" + jobId, account: account);
            var text = await described.Content.ReadAsStringAsync();
            described.StatusCode.Should().Be(HttpStatusCode.OK, text);
            var root = XDocument.Parse(text).Root!;
            root.Name.Should().Be(Ns + "DescribeJobResult");
            var job = root.Element(Ns + "Job")!;
            if (job.Element(Ns + "Status")!.Value == status)
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Job {jobId} did not reach {status}: {text}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A bucket policy letting the other account do <paramref name="action"/> to the objects of <paramref name="bucket"/> (the bucket under test by default).</summary>
    private async Task AllowOtherAsync(string action, string? bucket = null)
    {
        bucket ??= Bucket;
        var policy = $$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{TestAccounts.Other.Uin}}}:root"},
              "Action":["{{{action}}}"],"Resource":["arn:aws:s3:::{{{bucket}}}/*"]}]}
            """;
        (await S3.SendAsync(HttpMethod.Put, bucket, query: "policy", body: Encoding.UTF8.GetBytes(policy))).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    private async Task MakeRequesterPaysAsync()
    {
        var payer = "<RequestPaymentConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Payer>Requester</Payer></RequestPaymentConfiguration>";
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "requestPayment", body: Encoding.UTF8.GetBytes(payer))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task ShouldHaveNoJobsAsync()
    {
        var listed = await SendAsync(HttpMethod.Get, "");
        var text = await listed.Content.ReadAsStringAsync();
        listed.StatusCode.Should().Be(HttpStatusCode.OK, text);
        XDocument.Parse(text).Root!.Descendants(Ns + "JobId").Should().BeEmpty(text);
    }

    private async Task<string> TagsOfAsync(string key)
    {
        var tagging = await S3.SendAsync(HttpMethod.Get, Bucket, key, "tagging");
        var text = await tagging.Content.ReadAsStringAsync();
        tagging.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return text;
    }

    private async Task<string> GetTextAsync(string bucket, string key, Account? account = null)
    {
        var response = await S3.SendAsync(HttpMethod.Get, bucket, key, account: account);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, $"{bucket}/{key}: {text}");
        return text;
    }
}
