using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>Bucket lifecycle and bucket tagging on the wire, in both dialects, and S3's x-amz-expiration.</summary>
public sealed class BucketSettingsApiTests() : ServerTestBase("settings")
{
    private const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    [Fact]
    public async Task Lifecycle_ReadsBackAsPut_InCos_AndDeleteLeavesNoSuchLifecycleConfiguration()
    {
        const string rules =
            "<Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration>" +
            "<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>" +
            "<Rule><ID>tagged</ID><Filter><And><Prefix>a/</Prefix><Tag><Key>t</Key><Value>v</Value></Tag></And></Filter><Status>Disabled</Status>" +
            "<NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>";
        (await Cos(HttpMethod.Put, "lifecycle", $"<LifecycleConfiguration>{rules}</LifecycleConfiguration>")).StatusCode.Should().Be(HttpStatusCode.OK);

        var got = await Cos(HttpMethod.Get, "lifecycle");
        got.StatusCode.Should().Be(HttpStatusCode.OK);
        (await got.Content.ReadAsStringAsync()).Should().Be($"<?xml version=\"1.0\" encoding=\"utf-8\"?><LifecycleConfiguration>{rules}</LifecycleConfiguration>");

        (await Cos(HttpMethod.Delete, "lifecycle")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await (await Cos(HttpMethod.Get, "lifecycle")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchLifecycleConfiguration");
    }

    [Fact]
    public async Task Lifecycle_InS3_GivesARuleWithoutAnIdOne_AndAnswersXAmzExpiration()
    {
        var put = await S3Send(HttpMethod.Put, "lifecycle",
            $"<LifecycleConfiguration xmlns=\"{S3Namespace}\"><Rule><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status>" +
            "<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>");
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        XNamespace ns = S3Namespace;
        var root = XDocument.Parse(await (await S3Send(HttpMethod.Get, "lifecycle")).Content.ReadAsStringAsync()).Root!;
        var id = root.Element(ns + "Rule")!.Element(ns + "ID")!.Value;
        id.Should().NotBeEmpty();

        var written = await S3.SendAsync(HttpMethod.Put, Bucket, "tmp/x", body: [1, 2, 3]);
        var expiration = written.Headers.GetValues("x-amz-expiration").Single();
        var due = DateTime.UtcNow.Date.AddDays(2);
        // The rule id URL-encoded, as S3 documents it (a generated id is base64, which may hold '/' and '+').
        expiration.Should().Be($"expiry-date=\"{due.ToString("ddd, dd MMM yyyy", CultureInfo.InvariantCulture)} 00:00:00 GMT\", rule-id=\"{Uri.EscapeDataString(id)}\"");
        (await S3.SendAsync(HttpMethod.Head, Bucket, "tmp/x")).Headers.GetValues("x-amz-expiration").Single().Should().Be(expiration);
        (await S3.SendAsync(HttpMethod.Put, Bucket, "other", body: [1])).Headers.Contains("x-amz-expiration").Should().BeFalse("no rule matches");
        (await Server.PutObjectAsync(Bucket, "tmp/y", [1])).Headers.Contains("x-amz-expiration").Should().BeFalse("COS documents no such header");
    }

    [Fact]
    public async Task XAmzExpiration_NamesTheRuleUrlEncoded_AsS3Documents_WhateverCharactersItsIdHas()
    {
        var put = await S3Send(HttpMethod.Put, "lifecycle",
            $"<LifecycleConfiguration xmlns=\"{S3Namespace}\"><Rule><ID>old files&#10;ré</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status>" +
            "<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>");
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());

        var written = await S3.SendAsync(HttpMethod.Put, Bucket, "tmp/x", body: [1, 2, 3]);
        written.StatusCode.Should().Be(HttpStatusCode.OK);
        written.Headers.GetValues("x-amz-expiration").Single().Should().EndWith("rule-id=\"old%20files%0Ar%C3%A9\"");
        (await S3.SendAsync(HttpMethod.Get, Bucket, "tmp/x")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Lifecycle_Transitions_ReadBackAsPut_InCos_WithoutS3sThirtyDayMinimum()
    {
        const string rules =
            "<Rule><ID>archive</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>" +
            "<Transition><Date>2027-01-01T00:00:00+08:00</Date><StorageClass>ARCHIVE</StorageClass></Transition></Rule>" +
            "<Rule><ID>old</ID><Filter><Prefix>data/</Prefix></Filter><Status>Enabled</Status>" +
            "<Transition><Days>0</Days><StorageClass>STANDARD_IA</StorageClass></Transition>" +
            "<NoncurrentVersionTransition><NoncurrentDays>10</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions><StorageClass>DEEP_ARCHIVE</StorageClass></NoncurrentVersionTransition>" +
            "<NoncurrentVersionExpiration><NoncurrentDays>40</NoncurrentDays></NoncurrentVersionExpiration></Rule>";
        var put = await Cos(HttpMethod.Put, "lifecycle", $"<LifecycleConfiguration>{rules}</LifecycleConfiguration>");
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());

        (await (await Cos(HttpMethod.Get, "lifecycle")).Content.ReadAsStringAsync())
            .Should().Be($"<?xml version=\"1.0\" encoding=\"utf-8\"?><LifecycleConfiguration>{rules}</LifecycleConfiguration>");
    }

    [Fact]
    public async Task Lifecycle_Date_AtMidnightInChinaWrittenInUtc_IsTakenInCos_AndRefusedInS3()
    {
        // 2018-07-30 00:00 at UTC+8, as cos-nodejs-sdk-v5's own tests (and a JavaScript Date in China) write it.
        const string rule = "<Rule><ID>1</ID><Filter><Prefix>test_</Prefix></Filter><Status>Enabled</Status>" +
            "<Transition><Date>2018-07-29T16:00:00.000Z</Date><StorageClass>STANDARD_IA</StorageClass></Transition></Rule>";
        (await Cos(HttpMethod.Put, "lifecycle", $"<LifecycleConfiguration>{rule}</LifecycleConfiguration>")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await Cos(HttpMethod.Get, "lifecycle")).Content.ReadAsStringAsync()).Should().Contain("<Date>2018-07-29T16:00:00Z</Date>");

        (await (await Cos(HttpMethod.Put, "lifecycle", "<LifecycleConfiguration>" + rule.Replace("16:00", "15:00", StringComparison.Ordinal) + "</LifecycleConfiguration>"))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument")).Element("Message")!.Value.Should().Be("'Date' must be at midnight GMT");
        (await (await S3Send(HttpMethod.Put, "lifecycle", $"<LifecycleConfiguration xmlns=\"{S3Namespace}\">{rule.Replace("STANDARD_IA", "GLACIER", StringComparison.Ordinal)}</LifecycleConfiguration>"))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3)).Element("Message")!.Value.Should().Be("'Date' must be at midnight GMT");
    }

    [Fact]
    public async Task Lifecycle_Date_InS3_MustBeMidnightUtc_WhateverOffsetItIsWrittenIn()
    {
        static string Rule(string date) => $"<LifecycleConfiguration xmlns=\"{S3Namespace}\"><Rule><ID>1</ID><Filter><Prefix>p</Prefix></Filter>" +
            $"<Status>Enabled</Status><Transition><Date>{date}</Date><StorageClass>GLACIER</StorageClass></Transition></Rule></LifecycleConfiguration>";

        (await S3Send(HttpMethod.Put, "lifecycle", Rule("2018-07-30T08:00:00+08:00"))).StatusCode.Should().Be(HttpStatusCode.OK, "midnight UTC");
        (await (await S3Send(HttpMethod.Put, "lifecycle", Rule("2018-07-30T00:00:00+08:00")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3)).Element("Message")!.Value.Should().Be("'Date' must be at midnight GMT");
    }

    [Fact]
    public async Task Lifecycle_Transitions_ReadBackAsPut_InS3()
    {
        const string rules =
            "<Rule><ID>tiers</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>365</Days></Expiration>" +
            "<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>" +
            "<Transition><Days>90</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>";
        var put = await S3Send(HttpMethod.Put, "lifecycle", $"<LifecycleConfiguration xmlns=\"{S3Namespace}\">{rules}</LifecycleConfiguration>");
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());

        XNamespace ns = S3Namespace;
        var got = XDocument.Parse(await (await S3Send(HttpMethod.Get, "lifecycle")).Content.ReadAsStringAsync()).Root!;
        XNode.DeepEquals(got, XElement.Parse($"<LifecycleConfiguration xmlns=\"{S3Namespace}\">{rules}</LifecycleConfiguration>")).Should().BeTrue(got.ToString());
        got.Elements(ns + "Rule").Single().Elements(ns + "Transition").Select(t => t.Element(ns + "StorageClass")!.Value).Should().Equal("STANDARD_IA", "GLACIER");
    }

    [Theory]
    [InlineData("<Transition><Days>29</Days><StorageClass>STANDARD_IA</StorageClass></Transition>", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("<NoncurrentVersionTransition><NoncurrentDays>29</NoncurrentDays><StorageClass>ONEZONE_IA</StorageClass></NoncurrentVersionTransition>",
        HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("<Transition><Days>-1</Days><StorageClass>GLACIER</StorageClass></Transition>", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("<Transition><Days>1</Days><StorageClass>STANDARD</StorageClass></Transition>", HttpStatusCode.BadRequest, "InvalidStorageClass")]
    [InlineData("<Transition><Days>1</Days><StorageClass>glacier</StorageClass></Transition>", HttpStatusCode.BadRequest, "InvalidStorageClass")]
    [InlineData("<Transition><Days>1</Days></Transition>", HttpStatusCode.BadRequest, "MalformedXML")]
    [InlineData("<Transition><Days>1</Days><Date>2027-01-01T00:00:00Z</Date><StorageClass>GLACIER</StorageClass></Transition>", HttpStatusCode.BadRequest, "MalformedXML")]
    [InlineData("<Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition><Transition><Days>5</Days><StorageClass>GLACIER</StorageClass></Transition>",
        HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("<Expiration><Days>90</Days></Expiration><Transition><Days>90</Days><StorageClass>GLACIER</StorageClass></Transition>", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("<Expiration><Days>90</Days></Expiration><Transition><Date>2027-01-01T00:00:00Z</Date><StorageClass>GLACIER</StorageClass></Transition>",
        HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("<NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration>" +
        "<NoncurrentVersionTransition><NoncurrentDays>5</NoncurrentDays><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>", HttpStatusCode.BadRequest, "InvalidArgument")]
    public async Task Lifecycle_RefusesTransitionsS3Refuses_AndStoresNothing(string actions, HttpStatusCode status, string code)
    {
        var put = await S3Send(HttpMethod.Put, "lifecycle",
            $"<LifecycleConfiguration xmlns=\"{S3Namespace}\"><Rule><ID>r</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>{actions}</Rule></LifecycleConfiguration>");
        await put.ShouldBeErrorAsync(status, code, Dialect.S3);
        await (await S3Send(HttpMethod.Get, "lifecycle")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchLifecycleConfiguration", Dialect.S3);
    }

    [Theory]
    [InlineData("<Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition>", "InvalidArgument")]
    [InlineData("<Transition><Days>1</Days><StorageClass>MAZ_STANDARD</StorageClass></Transition>", "InvalidArgument")]
    [InlineData("<NoncurrentVersionTransition><StorageClass>ARCHIVE</StorageClass></NoncurrentVersionTransition>", "MalformedXML")]
    public async Task Lifecycle_RefusesTransitionsCosRefuses_AndStoresNothing(string actions, string code)
    {
        var put = await Cos(HttpMethod.Put, "lifecycle",
            $"<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>{actions}</Rule></LifecycleConfiguration>");
        await put.ShouldBeErrorAsync(HttpStatusCode.BadRequest, code);
        await (await Cos(HttpMethod.Get, "lifecycle")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchLifecycleConfiguration");
    }

    [Theory]
    [InlineData("<Rule><ID>r</ID><Filter/><Status>Enabled</Status></Rule>", HttpStatusCode.BadRequest, "InvalidRequest")]
    [InlineData("<Rule><ID>r</ID><Filter/><Status>On</Status><Expiration><Days>1</Days></Expiration></Rule>", HttpStatusCode.BadRequest, "MalformedXML")]
    [InlineData("<Rule><ID>r</ID><Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule>", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("<Rule><ID>r</ID><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>", HttpStatusCode.BadRequest, "MalformedXML")]
    [InlineData("<Rule><ID>r</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>" +
        "<Rule><ID>r</ID><Filter/><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>", HttpStatusCode.BadRequest, "InvalidArgument")]
    [InlineData("<Rule><ID>r</ID><Filter><Tag><Key>t</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>" +
        "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>", HttpStatusCode.BadRequest, "InvalidRequest")]
    public async Task Lifecycle_RefusesWhatS3Refuses(string rules, HttpStatusCode status, string code)
    {
        await (await Cos(HttpMethod.Put, "lifecycle", $"<LifecycleConfiguration>{rules}</LifecycleConfiguration>")).ShouldBeErrorAsync(status, code);
    }

    [Fact]
    public async Task BucketTagging_ReadsBackAsPut_InBothDialects_AndDeleteLeavesNoSuchTagSet()
    {
        const string tagSet = "<TagSet><Tag><Key>team</Key><Value>storage</Value></Tag><Tag><Key>env</Key><Value>test</Value></Tag></TagSet>";
        (await Cos(HttpMethod.Put, "tagging", $"<Tagging>{tagSet}</Tagging>")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await Cos(HttpMethod.Get, "tagging")).Content.ReadAsStringAsync())
            .Should().Be($"<?xml version=\"1.0\" encoding=\"utf-8\"?><Tagging>{tagSet}</Tagging>");

        (await S3Send(HttpMethod.Put, "tagging", $"<Tagging xmlns=\"{S3Namespace}\"><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"))
            .StatusCode.Should().Be(HttpStatusCode.NoContent);
        XNamespace ns = S3Namespace;
        var root = XDocument.Parse(await (await S3Send(HttpMethod.Get, "tagging")).Content.ReadAsStringAsync()).Root!;
        root.Descendants(ns + "Tag").Select(t => (t.Element(ns + "Key")!.Value, t.Element(ns + "Value")!.Value)).Should().Equal(("k", "v"));

        (await S3Send(HttpMethod.Delete, "tagging")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await (await S3Send(HttpMethod.Get, "tagging")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchTagSet", Dialect.S3);
        await (await Cos(HttpMethod.Get, "tagging")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchTagSet");
    }

    [Fact]
    public async Task BucketTagging_Over50Tags_OrADuplicateKey_IsInvalidTag()
    {
        var many = string.Concat(Enumerable.Range(0, 51).Select(i => $"<Tag><Key>k{i}</Key><Value>v</Value></Tag>"));
        await (await Cos(HttpMethod.Put, "tagging", $"<Tagging><TagSet>{many}</TagSet></Tagging>")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidTag");
        var fifty = string.Concat(Enumerable.Range(0, 50).Select(i => $"<Tag><Key>k{i}</Key><Value>v</Value></Tag>"));
        (await Cos(HttpMethod.Put, "tagging", $"<Tagging><TagSet>{fifty}</TagSet></Tagging>")).StatusCode.Should().Be(HttpStatusCode.OK);
        await (await Cos(HttpMethod.Put, "tagging", "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>"))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidTag");
    }

    private Task<HttpResponseMessage> Cos(HttpMethod method, string query, string? body = null) =>
        Server.SendAsync(Server.Request(method, Bucket, query: query, content: body is null ? null : new ByteArrayContent(Encoding.UTF8.GetBytes(body))));

    private Task<HttpResponseMessage> S3Send(HttpMethod method, string query, string? body = null) =>
        S3.SendAsync(method, Bucket, query: query, body: body is null ? null : Encoding.UTF8.GetBytes(body));
}
