using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Model.Accounts;
using Coffer.Protocol.Routing;
using Coffer.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests;

/// <summary>
/// S3's Requester Pays buckets: PUT / GET Bucket requestPayment, and what the setting asks of requests — anyone outside the
/// owner's account says <c>x-amz-request-payer: requester</c> and is told <c>x-amz-request-charged</c>; nobody anonymous.
/// </summary>
public sealed class RequesterPaysApiTests() : ServerTestBase("payer")
{
    private const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
    private static readonly KeyValuePair<string, string>[] AgreesToPay = [new("x-amz-request-payer", "requester")];

    protected override async Task SeedAsync()
    {
        (await S3.SendAsync(HttpMethod.Put, Bucket, "k", body: [1, 2, 3])).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task GetBucketRequestPayment_IsBucketOwner_ByDefault_AndAnswersWhatPutSet()
    {
        (await PayerAsync()).Should().Be("BucketOwner");

        (await PutPayerAsync("Requester")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await PayerAsync()).Should().Be("Requester");

        (await PutPayerAsync("BucketOwner")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await PayerAsync()).Should().Be("BucketOwner");
    }

    [Theory]
    [InlineData($"<RequestPaymentConfiguration xmlns=\"{S3Namespace}\"><Payer>Nobody</Payer></RequestPaymentConfiguration>")]
    [InlineData($"<RequestPaymentConfiguration xmlns=\"{S3Namespace}\"><Payer>requester</Payer></RequestPaymentConfiguration>")]
    [InlineData($"<RequestPaymentConfiguration xmlns=\"{S3Namespace}\"></RequestPaymentConfiguration>")]
    [InlineData($"<RequestPaymentConfiguration xmlns=\"{S3Namespace}\"><Payer>Requester</Payer><Payer>Requester</Payer></RequestPaymentConfiguration>")]
    [InlineData($"<RequestPaymentConfiguration xmlns=\"{S3Namespace}\"><Payer>Requester</Payer><Extra/></RequestPaymentConfiguration>")]
    [InlineData($"<PaymentConfiguration xmlns=\"{S3Namespace}\"><Payer>Requester</Payer></PaymentConfiguration>")]
    public async Task PutBucketRequestPayment_IsMalformedXml_ForAnythingButOnePayerRequesterOrBucketOwner(string document)
    {
        var response = await S3.SendAsync(HttpMethod.Put, Bucket, query: "requestPayment", body: Encoding.UTF8.GetBytes(document));

        await response.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedXML", Dialect.S3);
        (await PayerAsync()).Should().Be("BucketOwner");
    }

    [Fact]
    public async Task RequesterPays_RefusesAnotherAccountWithoutTheHeader_AndChargesItWhenItSaysItPays()
    {
        await AllowOtherToReadAsync();
        var before = await S3.SendAsync(HttpMethod.Get, Bucket, "k", account: TestAccounts.Other);
        before.StatusCode.Should().Be(HttpStatusCode.OK, "the policy lets the other account read");
        before.Headers.Contains("x-amz-request-charged").Should().BeFalse();
        var unpermitted = await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "acl", account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);

        (await PutPayerAsync("Requester")).StatusCode.Should().Be(HttpStatusCode.OK);

        var refused = await (await S3.SendAsync(HttpMethod.Get, Bucket, "k", account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        refused.Element("Message")!.Value.Should().Be(unpermitted.Element("Message")!.Value,
            "S3 does not tell a stranger the bucket is Requester Pays: the refusal reads as one for want of a permission");
        await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "list-type=2", account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);

        var read = await S3.SendAsync(HttpMethod.Get, Bucket, "k", headers: AgreesToPay, account: TestAccounts.Other);
        read.StatusCode.Should().Be(HttpStatusCode.OK);
        (await read.Content.ReadAsByteArrayAsync()).Should().Equal(1, 2, 3);
        read.Headers.GetValues("x-amz-request-charged").Should().Equal("requester");
        var listed = await S3.SendAsync(HttpMethod.Get, Bucket, query: "list-type=2", headers: AgreesToPay, account: TestAccounts.Other);
        listed.StatusCode.Should().Be(HttpStatusCode.OK);
        listed.Headers.GetValues("x-amz-request-charged").Should().Equal("requester");
    }

    [Fact]
    public async Task RequesterPays_AnswersNoXAmzRequestCharged_OnAnError_EvenWithTheHeader()
    {
        await AllowOtherToReadAsync();
        (await PutPayerAsync("Requester")).StatusCode.Should().Be(HttpStatusCode.OK);

        var missing = await S3.SendAsync(HttpMethod.Get, Bucket, "absent", headers: AgreesToPay, account: TestAccounts.Other);
        await missing.ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey", Dialect.S3);
        missing.Headers.Contains("x-amz-request-charged").Should().BeFalse();
    }

    [Fact]
    public async Task RequesterPays_RefusesAnonymousRequests_OnAPublicReadBucket_EvenWithTheHeader()
    {
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "acl", headers: [new("x-amz-acl", "public-read")])).StatusCode.Should().Be(HttpStatusCode.OK);
        (await S3.SendAsync(Anonymous(query: "list-type=2"))).StatusCode.Should().Be(HttpStatusCode.OK, "the bucket is public-read");
        var unpermitted = await (await S3.SendAsync(Anonymous(query: "acl"))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);

        (await PutPayerAsync("Requester")).StatusCode.Should().Be(HttpStatusCode.OK);

        await (await S3.SendAsync(Anonymous(query: "list-type=2"))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        var refused = await (await S3.SendAsync(Anonymous(query: "list-type=2", headers: AgreesToPay)))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        refused.Element("Message")!.Value.Should().Be(unpermitted.Element("Message")!.Value);
    }

    [Fact]
    public async Task RequesterPays_AsksNothingOfTheOwner_AndChargesItNothing()
    {
        (await PutPayerAsync("Requester")).StatusCode.Should().Be(HttpStatusCode.OK);

        var read = await S3.SendAsync(HttpMethod.Get, Bucket, "k");
        read.StatusCode.Should().Be(HttpStatusCode.OK);
        read.Headers.Contains("x-amz-request-charged").Should().BeFalse();
        (await S3.SendAsync(HttpMethod.Put, Bucket, "k2", body: [4])).StatusCode.Should().Be(HttpStatusCode.OK);
        (await S3.SendAsync(HttpMethod.Get, Bucket, query: "list-type=2")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RequesterPays_RefusesACopyFromTheBucketWithoutTheHeader_AndChargesOneWithIt()
    {
        await AllowOtherToReadAsync();
        var otherBucket = TestServer.BucketName("payee", TestAccounts.Other);
        (await S3.SendAsync(HttpMethod.Put, otherBucket, account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await PutPayerAsync("Requester")).StatusCode.Should().Be(HttpStatusCode.OK);
        KeyValuePair<string, string>[] copy = [new("x-amz-copy-source", $"/{Bucket}/k")];

        await (await S3.SendAsync(HttpMethod.Put, otherBucket, "copied", headers: copy, account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        var copied = await S3.SendAsync(HttpMethod.Put, otherBucket, "copied", headers: [.. copy, .. AgreesToPay], account: TestAccounts.Other);
        copied.StatusCode.Should().Be(HttpStatusCode.OK);
        copied.Headers.GetValues("x-amz-request-charged").Should().Equal(["requester"], "reading the source is charged, though the destination is not Requester Pays");
    }

    [Fact]
    public async Task RequesterPays_ServesAnotherAccountsFormUpload_ThatAgreesInItsHttpHeader()
    {
        await AllowOtherAsync("s3:PutObject");
        (await PutPayerAsync("Requester")).StatusCode.Should().Be(HttpStatusCode.OK);
        HttpRequestMessage Form(string key, bool agrees)
        {
            var fields = PostForms.S3(Bucket, TestAccounts.Other, DateTimeOffset.UtcNow, TimeSpan.FromHours(1), [new[] { "starts-with", "$key", "" }]);
            fields.Add(new("key", key));
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Server.BaseAddress, Bucket)) { Content = PostForms.Body(fields, [7]) };
            if (agrees)
            {
                request.Headers.Add("x-amz-request-payer", "requester");
            }

            return request;
        }

        await (await S3.SendAsync(Form("unpaid", agrees: false))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        var posted = await S3.SendAsync(Form("paid", agrees: true));
        posted.StatusCode.Should().Be(HttpStatusCode.NoContent, await posted.Content.ReadAsStringAsync());
        posted.Headers.GetValues("x-amz-request-charged").Should().Equal("requester");
        (await S3.SendAsync(HttpMethod.Head, Bucket, "paid")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RequesterPays_InTheCosDialect_AsksXCosRequestPayer_AndAnswersXCosRequestCharged()
    {
        await AllowOtherToReadAsync();
        (await PutPayerAsync("Requester")).StatusCode.Should().Be(HttpStatusCode.OK);

        await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k", account: TestAccounts.Other)))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        var read = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k", account: TestAccounts.Other,
            headers: [new("x-cos-request-payer", "requester")]));
        read.StatusCode.Should().Be(HttpStatusCode.OK, await read.Content.ReadAsStringAsync());
        (await read.Content.ReadAsByteArrayAsync()).Should().Equal(1, 2, 3);
        read.Headers.GetValues("x-cos-request-charged").Should().Equal("requester");
    }

    [Fact]
    public async Task RequesterPays_AsksNothingOfTheOwnersSubAccount_AndChargesItNothing()
    {
        var sub = await OwnersSubAccountAsync("reader", "s3:GetObject");
        (await PutPayerAsync("Requester")).StatusCode.Should().Be(HttpStatusCode.OK);

        var read = await S3.SendAsync(HttpMethod.Get, Bucket, "k", account: sub);
        read.StatusCode.Should().Be(HttpStatusCode.OK, await read.Content.ReadAsStringAsync());
        read.Headers.Contains("x-amz-request-charged").Should().BeFalse();
    }

    [Fact]
    public async Task RequesterPays_ServesAPresignedUrl_ThatCarriesTheAgreementInItsQuery()
    {
        await AllowOtherToReadAsync();
        (await PutPayerAsync("Requester")).StatusCode.Should().Be(HttpStatusCode.OK);

        await (await S3.SendAsync(PresignedGet("k", ""))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        var read = await S3.SendAsync(PresignedGet("k", "&x-amz-request-payer=requester"));
        read.StatusCode.Should().Be(HttpStatusCode.OK, await read.Content.ReadAsStringAsync());
        read.Headers.GetValues("x-amz-request-charged").Should().Equal("requester");
    }

    [Fact]
    public async Task RequesterPays_HeadObject_AnswersXAmzRequestCharged()
    {
        await AllowOtherToReadAsync();
        (await PutPayerAsync("Requester")).StatusCode.Should().Be(HttpStatusCode.OK);

        var head = await S3.SendAsync(HttpMethod.Head, Bucket, "k", headers: AgreesToPay, account: TestAccounts.Other);

        head.StatusCode.Should().Be(HttpStatusCode.OK);
        head.Headers.GetValues("x-amz-request-charged").Should().Equal("requester");
    }

    [Fact]
    public async Task RequestPayment_IsRefusedToAnotherAccountWithoutAGrant_AndNotACosSubResource()
    {
        await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "requestPayment", headers: AgreesToPay, account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, query: "requestPayment", body: Payer("Requester"), headers: AgreesToPay, account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        (await PayerAsync()).Should().Be("BucketOwner");

        await (await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, query: "requestPayment")))
            .ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented");
        await (await Server.SendAsync(Server.Request(HttpMethod.Put, Bucket, query: "requestPayment", content: new ByteArrayContent(Payer("Requester")))))
            .ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented");
        (await PayerAsync()).Should().Be("BucketOwner");
    }

    [Fact]
    public async Task RequestPayment_IsRefusedToAnotherAccount_EvenWithAPolicyGrant_AndServedToTheOwnersSubAccountWithOne()
    {
        await AllowOtherAsync("s3:GetBucketRequestPayment", "s3:PutBucketRequestPayment");

        await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "requestPayment", headers: AgreesToPay, account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, query: "requestPayment", body: Payer("Requester"), headers: AgreesToPay, account: TestAccounts.Other))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied", Dialect.S3);
        (await PayerAsync()).Should().Be("BucketOwner");

        var sub = await OwnersSubAccountAsync("payments", "s3:PutBucketRequestPayment");
        var set = await S3.SendAsync(HttpMethod.Put, Bucket, query: "requestPayment", body: Payer("Requester"), account: sub);
        set.StatusCode.Should().Be(HttpStatusCode.OK, await set.Content.ReadAsStringAsync());
        (await PayerAsync()).Should().Be("Requester");
    }

    private static byte[] Payer(string payer) =>
        Encoding.UTF8.GetBytes($"<RequestPaymentConfiguration xmlns=\"{S3Namespace}\"><Payer>{payer}</Payer></RequestPaymentConfiguration>");

    private Task<HttpResponseMessage> PutPayerAsync(string payer) => S3.SendAsync(HttpMethod.Put, Bucket, query: "requestPayment", body: Payer(payer));

    /// <summary>The Payer of GetBucketRequestPayment's document, checking the answer is 200 with S3's document.</summary>
    private async Task<string> PayerAsync()
    {
        var response = await S3.SendAsync(HttpMethod.Get, Bucket, query: "requestPayment");
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        var root = XDocument.Parse(body).Root!;
        root.Name.Should().Be(XName.Get("RequestPaymentConfiguration", S3Namespace));
        var payer = root.Elements().Should().ContainSingle().Subject;
        payer.Name.Should().Be(XName.Get("Payer", S3Namespace));
        return payer.Value;
    }

    /// <summary>A sub-account of the bucket owner's whose own policy allows it <paramref name="action"/> on everything.</summary>
    private async Task<Account> OwnersSubAccountAsync(string name, string action)
    {
        var identities = Server.Server.Services.GetRequiredService<IdentityDirectory>();
        var created = await identities.CreateSubAccountAsync(TestAccounts.Owner.AppId, name, null, Encoding.UTF8.GetBytes(
            $$"""{"version":"2.0","statement":[{"effect":"allow","action":["{{action}}"],"resource":["*"]}]}"""));
        return new Account(created.AppId, created.Uin, created.SecretId, created.SecretKey, "sub");
    }

    private Task AllowOtherToReadAsync() => AllowOtherAsync("s3:GetObject", "s3:ListBucket");

    /// <summary>A bucket policy letting the other account do <paramref name="actions"/> on the bucket and its objects.</summary>
    private async Task AllowOtherAsync(params string[] actions)
    {
        var policy = $$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{TestAccounts.Other.Uin}}}:root"},
              "Action":[{{{string.Join(",", actions.Select(a => $"\"{a}\""))}}}],"Resource":["arn:aws:s3:::{{{Bucket}}}","arn:aws:s3:::{{{Bucket}}}/*"]}]}
            """;
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "policy", body: Encoding.UTF8.GetBytes(policy))).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    /// <summary>The other account's GET of <paramref name="key"/> presigned with SigV4 query parameters, and <paramref name="extraQuery"/> signed with them.</summary>
    private HttpRequestMessage PresignedGet(string key, string extraQuery) =>
        new(HttpMethod.Get, S3RequestSigner.Presign(HttpMethod.Get, Server.BaseAddress, $"/{Bucket}/{key}", TestAccounts.Other, DateTimeOffset.UtcNow, extraQuery));

    /// <summary>An unsigned S3 request (its x-amz-* headers say the dialect).</summary>
    private HttpRequestMessage Anonymous(string query, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var request = S3.Request(HttpMethod.Get, Bucket, query: query, headers: headers);
        request.Headers.Remove("Authorization");
        return request;
    }
}
