using System.Net;
using System.Text;
using System.Xml.Linq;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// Bucket and object ACLs on the wire (canned ACLs, grant headers, AccessControlPolicy bodies, in both dialects), the
/// access they give, ownership controls and the public access block.
/// </summary>
public sealed class AclApiTests() : ServerTestBase("acls")
{
    private const string Xsi = "http://www.w3.org/2001/XMLSchema-instance";
    private static readonly string Owner = TestAccounts.Owner.Uin;
    private static readonly string Other = TestAccounts.Other.Uin;

    [Fact]
    public async Task GetBucketAcl_WritesEveryGrant_AsEachDialectNamesUsersAndGroups()
    {
        (await Cos(HttpMethod.Put, null, "acl", headers:
        [
            new("x-cos-grant-read", $"id=\"{Other}\""),
            new("x-cos-grant-full-control", $"id=\"qcs::cam::uin/{Owner}:uin/100000000011\", uri=\"http://cam.qcloud.com/groups/global/AllUsers\""),
        ])).EnsureSuccessStatusCode();

        var cos = await Cos(HttpMethod.Get, null, "acl");
        (await cos.Content.ReadAsStringAsync()).Should().Be(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><AccessControlPolicy>" +
            $"<Owner><ID>qcs::cam::uin/{Owner}:uin/{Owner}</ID><DisplayName>{Owner}</DisplayName></Owner><AccessControlList>" +
            $"<Grant><Grantee xmlns:xsi=\"{Xsi}\" xsi:type=\"CanonicalUser\"><ID>qcs::cam::uin/{Other}:uin/{Other}</ID><DisplayName>{Other}</DisplayName></Grantee><Permission>READ</Permission></Grant>" +
            $"<Grant><Grantee xmlns:xsi=\"{Xsi}\" xsi:type=\"CanonicalUser\"><ID>qcs::cam::uin/{Owner}:uin/100000000011</ID><DisplayName>100000000011</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>" +
            $"<Grant><Grantee xmlns:xsi=\"{Xsi}\" xsi:type=\"Group\"><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>FULL_CONTROL</Permission></Grant>" +
            "</AccessControlList></AccessControlPolicy>");

        var s3 = XDocument.Parse(await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "acl")).Content.ReadAsStringAsync()).Root!;
        XNamespace ns = "http://s3.amazonaws.com/doc/2006-03-01/";
        s3.Element(ns + "Owner")!.Element(ns + "ID")!.Value.Should().Be(Owner);
        s3.Descendants(ns + "Grantee").Select(g => (g.Element(ns + "ID") ?? g.Element(ns + "URI"))!.Value)
            .Should().Equal(Other, "100000000011", "http://acs.amazonaws.com/groups/global/AllUsers");
    }

    [Fact]
    public async Task BucketGrants_GiveTheGrantedAccount_WhatTheyGrant_AndNoMore()
    {
        await Server.PutObjectAsync(Bucket, "k", [1]);
        (await Cos(HttpMethod.Get, null, account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (await Cos(HttpMethod.Put, null, "acl", headers: [new("x-cos-grant-read", $"id=\"{Other}\""), new("x-cos-grant-write", $"id=\"{Other}\"")]))
            .EnsureSuccessStatusCode();
        (await Cos(HttpMethod.Get, null, account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK, "READ on the bucket lists it");
        (await Cos(HttpMethod.Put, "new.txt", content: new ByteArrayContent([2]), account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK, "WRITE");
        (await Cos(HttpMethod.Get, null, "acl", account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "no READ_ACP");
        (await Cos(HttpMethod.Put, null, "acl", headers: [new("x-cos-acl", "private")], account: TestAccounts.Other))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden, "no WRITE_ACP");

        (await Cos(HttpMethod.Put, null, "acl", headers: [new("x-cos-grant-read-acp", $"id=\"{Other}\"")])).EnsureSuccessStatusCode();
        (await Cos(HttpMethod.Get, null, "acl", account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Cos(HttpMethod.Get, null, account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "the new ACL replaced the old");
    }

    [Fact]
    public async Task ObjectAcl_FromABody_MakesOneObjectPublic_InAPrivateBucket_AndReadsBack()
    {
        await Server.PutObjectAsync(Bucket, "public.txt", [1]);
        await Server.PutObjectAsync(Bucket, "private.txt", [2]);
        (await Anonymous(HttpMethod.Get, "public.txt")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var body = "<AccessControlPolicy xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>" + Owner + "</ID></Owner><AccessControlList>" +
            $"<Grant><Grantee xmlns:xsi=\"{Xsi}\" xsi:type=\"CanonicalUser\"><ID>{Owner}</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>" +
            $"<Grant><Grantee xmlns:xsi=\"{Xsi}\" xsi:type=\"Group\"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>" +
            "</AccessControlList></AccessControlPolicy>";
        (await S3.SendAsync(HttpMethod.Put, Bucket, "public.txt", "acl", Encoding.UTF8.GetBytes(body))).EnsureSuccessStatusCode();

        (await Anonymous(HttpMethod.Get, "public.txt")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Anonymous(HttpMethod.Get, "private.txt")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Anonymous(HttpMethod.Get, "public.txt", "acl")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "READ is not READ_ACP");
        var acl = XDocument.Parse(await (await Cos(HttpMethod.Get, "public.txt", "acl")).Content.ReadAsStringAsync()).Root!;
        acl.Descendants("Permission").Select(p => p.Value).Should().Equal("FULL_CONTROL", "READ");
        acl.Descendants("URI").Single().Value.Should().Be("http://cam.qcloud.com/groups/global/AllUsers");

        (await Cos(HttpMethod.Put, "public.txt", "acl", headers: [new("x-cos-acl", "private")])).EnsureSuccessStatusCode();
        (await Anonymous(HttpMethod.Get, "public.txt")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "private again");
    }

    [Fact]
    public async Task ObjectsWithoutAnAcl_ArePrivateInS3_AndFollowTheBucketInCos()
    {
        (await Cos(HttpMethod.Put, null, "acl", headers: [new("x-cos-acl", "public-read")])).EnsureSuccessStatusCode();
        await Server.PutObjectAsync(Bucket, "cos.txt", [1]);
        (await S3.SendAsync(HttpMethod.Put, Bucket, "s3.txt", body: [2])).EnsureSuccessStatusCode();
        (await S3.SendAsync(HttpMethod.Put, Bucket, "s3-public.txt", body: [3], headers: [new("x-amz-acl", "public-read")])).EnsureSuccessStatusCode();

        (await Anonymous(HttpMethod.Get, "cos.txt")).StatusCode.Should().Be(HttpStatusCode.OK, "COS's default follows the bucket");
        (await Anonymous(HttpMethod.Get, "s3.txt")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "S3 objects are private to their owner");
        (await Anonymous(HttpMethod.Get, "s3-public.txt")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AclRequests_ThatCannotBeHonoured_AnswerTheDocumentedError()
    {
        await Server.PutObjectAsync(Bucket, "k", [1]);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, query: "acl", headers: [new("x-amz-acl", "public-read"), new("x-amz-grant-read", $"id=\"{Other}\"")]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest", Dialect.S3);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, query: "acl", headers: [new("x-amz-grant-read", "id=\"999999999999\"")]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        await (await S3.SendAsync(HttpMethod.Put, Bucket, query: "acl", headers: [new("x-amz-grant-read", "emailAddress=\"someone@example.com\"")]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "UnresolvableGrantByEmailAddress", Dialect.S3);
        await (await Cos(HttpMethod.Put, "k", "acl", headers: [new("x-cos-grant-write", $"id=\"{Other}\"")]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
        await (await Cos(HttpMethod.Put, "k", "acl", new StringContent("<AccessControlPolicy><AccessControlList><Grant><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>")))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MalformedACLError");
        await (await Cos(HttpMethod.Put, "k", "acl")).ShouldBeErrorAsync(HttpStatusCode.BadRequest, "MissingRequestBodyError");
        await (await Cos(HttpMethod.Get, "missing", "acl")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchKey");
    }

    [Fact]
    public async Task PutAcl_InCos_TakesACannedAclWithGrantHeaders_AndGrantsToUinsNoAccountHasHere()
    {
        // What cos-nodejs-sdk-v5's own tests send to COS: public-read with full control for two QQ numbers.
        await Server.PutObjectAsync(Bucket, "k", [1]);
        var grants = "id=\"qcs::cam::uin/1001:uin/1001\", id=\"qcs::cam::uin/1002:uin/1002\"";
        (await Cos(HttpMethod.Put, null, "acl", headers: [new("x-cos-acl", "public-read"), new("x-cos-grant-full-control", grants)])).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Cos(HttpMethod.Put, "k", "acl", headers: [new("x-cos-acl", "public-read"), new("x-cos-grant-full-control", grants)])).StatusCode.Should().Be(HttpStatusCode.OK);

        foreach (var key in new[] { null, "k" })
        {
            (await (await Cos(HttpMethod.Get, key, "acl")).Content.ReadAsStringAsync()).Should().Be(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><AccessControlPolicy>" +
                $"<Owner><ID>qcs::cam::uin/{Owner}:uin/{Owner}</ID><DisplayName>{Owner}</DisplayName></Owner><AccessControlList>" +
                $"<Grant><Grantee xmlns:xsi=\"{Xsi}\" xsi:type=\"CanonicalUser\"><ID>qcs::cam::uin/{Owner}:uin/{Owner}</ID><DisplayName>{Owner}</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>" +
                $"<Grant><Grantee xmlns:xsi=\"{Xsi}\" xsi:type=\"Group\"><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>" +
                $"<Grant><Grantee xmlns:xsi=\"{Xsi}\" xsi:type=\"CanonicalUser\"><ID>qcs::cam::uin/1001:uin/1001</ID><DisplayName>1001</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>" +
                $"<Grant><Grantee xmlns:xsi=\"{Xsi}\" xsi:type=\"CanonicalUser\"><ID>qcs::cam::uin/1002:uin/1002</ID><DisplayName>1002</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>" +
                "</AccessControlList></AccessControlPolicy>", key ?? "the bucket");
        }

        (await Anonymous(HttpMethod.Get, "k")).StatusCode.Should().Be(HttpStatusCode.OK, "the canned ACL's grants are kept beside the headers'");
        (await Cos(HttpMethod.Get, "k", account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.OK, "public-read lets any account read");
        await (await Cos(HttpMethod.Put, null, "acl", headers: [new("x-cos-acl", "default"), new("x-cos-grant-read", $"id=\"{Other}\"")]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task CreateBucket_InCos_AppliesGrantHeaders_BesideAPrivateCannedAcl()
    {
        var bucket = TestServer.BucketName("private-grants");
        (await Server.SendAsync(Server.Request(HttpMethod.Put, bucket, headers: [new("x-cos-acl", "private"), new("x-cos-grant-read", $"id=\"{Other}\"")])))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        (await (await Server.SendAsync(Server.Request(HttpMethod.Get, bucket, query: "acl"))).Content.ReadAsStringAsync()).Should().Contain(
            $"<Grant><Grantee xmlns:xsi=\"{Xsi}\" xsi:type=\"CanonicalUser\"><ID>qcs::cam::uin/{Other}:uin/{Other}</ID><DisplayName>{Other}</DisplayName></Grantee><Permission>READ</Permission></Grant>");
        (await Server.SendAsync(Server.Request(HttpMethod.Get, bucket, account: TestAccounts.Other))).StatusCode.Should().Be(HttpStatusCode.OK, "the grant lets the other account list");
    }

    [Fact]
    public async Task OwnershipControls_BucketOwnerEnforced_TurnsAclsOff()
    {
        await (await Cos(HttpMethod.Get, null, "ownershipControls")).ShouldBeErrorAsync(HttpStatusCode.NotFound, "OwnershipControlsNotFoundError");
        await Server.PutObjectAsync(Bucket, "public.txt", [1], [new("x-cos-acl", "public-read")]);
        (await Anonymous(HttpMethod.Get, "public.txt")).StatusCode.Should().Be(HttpStatusCode.OK);

        var controls = "<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>";
        (await Cos(HttpMethod.Put, null, "ownershipControls", new StringContent(controls))).EnsureSuccessStatusCode();
        (await (await Cos(HttpMethod.Get, null, "ownershipControls")).Content.ReadAsStringAsync())
            .Should().Be("<?xml version=\"1.0\" encoding=\"utf-8\"?>" + controls);
        (await Anonymous(HttpMethod.Get, "public.txt")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "ACLs no longer count");
        await (await Cos(HttpMethod.Put, "other.txt", content: new ByteArrayContent([1]), headers: [new("x-cos-acl", "public-read")]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "AccessControlListNotSupported");
        await (await Cos(HttpMethod.Put, null, "acl", headers: [new("x-cos-acl", "public-read")]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "AccessControlListNotSupported");
        (await S3.SendAsync(HttpMethod.Put, Bucket, "owned.txt", body: [1], headers: [new("x-amz-acl", "bucket-owner-full-control")]))
            .StatusCode.Should().Be(HttpStatusCode.OK, "the owner's full control is what the bucket enforces");

        (await Cos(HttpMethod.Delete, null, "ownershipControls")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await Anonymous(HttpMethod.Get, "public.txt")).StatusCode.Should().Be(HttpStatusCode.OK, "the object kept its ACL");
    }

    [Fact]
    public async Task BucketOwnerEnforced_AcceptsNoAclOrBucketOwnerFullControl_OnPutCopyAndUpload_AndRefusesEvenPrivate_AndEveryAclWrite()
    {
        var controls = "<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>";
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "ownershipControls", body: Encoding.UTF8.GetBytes(controls))).EnsureSuccessStatusCode();
        KeyValuePair<string, string> copySource = new("x-amz-copy-source", $"/{Bucket}/plain");
        (await S3.SendAsync(HttpMethod.Put, Bucket, "plain", body: [1])).StatusCode.Should().Be(HttpStatusCode.OK);

        foreach (var acl in new[] { "bucket-owner-full-control", null })
        {
            KeyValuePair<string, string>[] headers = acl is null ? [] : [new("x-amz-acl", acl)];
            (await S3.SendAsync(HttpMethod.Put, Bucket, "put", body: [1], headers: headers)).StatusCode.Should().Be(HttpStatusCode.OK);
            (await S3.SendAsync(HttpMethod.Put, Bucket, "copy", headers: [.. headers, copySource])).StatusCode.Should().Be(HttpStatusCode.OK);
            (await S3.SendAsync(HttpMethod.Post, Bucket, "upload", "uploads", headers: headers)).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await S3.SendAsync(HttpMethod.Put, Bucket, "granted", body: [1], headers: [new("x-amz-grant-full-control", $"id=\"{Owner}\"")]))
            .StatusCode.Should().Be(HttpStatusCode.OK, "the bucket owner's full control as a grant is the same ACL");

        foreach (var acl in new[] { "private", "public-read" })
        {
            KeyValuePair<string, string> header = new("x-amz-acl", acl);
            await (await S3.SendAsync(HttpMethod.Put, Bucket, "refused", body: [1], headers: [header]))
                .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "AccessControlListNotSupported", Dialect.S3);
            await (await S3.SendAsync(HttpMethod.Put, Bucket, "refused", headers: [header, copySource]))
                .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "AccessControlListNotSupported", Dialect.S3);
            await (await S3.SendAsync(HttpMethod.Post, Bucket, "refused", "uploads", headers: [header]))
                .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "AccessControlListNotSupported", Dialect.S3);
            await (await S3.SendAsync(HttpMethod.Put, Bucket, query: "acl", headers: [header]))
                .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "AccessControlListNotSupported", Dialect.S3);
            await (await S3.SendAsync(HttpMethod.Put, Bucket, "plain", "acl", headers: [header]))
                .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "AccessControlListNotSupported", Dialect.S3);
        }

        (await S3.SendAsync(HttpMethod.Head, Bucket, "refused")).StatusCode.Should().Be(HttpStatusCode.NotFound, "a refused write stores nothing");
    }

    [Fact]
    public async Task CreateBucket_WithXAmzObjectOwnership_SetsTheOwnershipControls_AndRefusesAnAclWithEnforcedOwnership()
    {
        var enforced = TestServer.BucketName("enforced");
        (await S3.SendAsync(HttpMethod.Put, enforced, headers: [new("x-amz-object-ownership", "BucketOwnerEnforced")])).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await S3.SendAsync(HttpMethod.Get, enforced, query: "ownershipControls")).Content.ReadAsStringAsync()).Should().Contain(
            "<ObjectOwnership>BucketOwnerEnforced</ObjectOwnership>");

        var refused = TestServer.BucketName("refused");
        await (await S3.SendAsync(HttpMethod.Put, refused, headers: [new("x-amz-object-ownership", "BucketOwnerEnforced"), new("x-amz-acl", "public-read")]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidBucketAclWithObjectOwnership", Dialect.S3);
        await (await S3.SendAsync(HttpMethod.Put, refused, headers: [new("x-amz-object-ownership", "Nobody")]))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidArgument", Dialect.S3);
        (await S3.SendAsync(HttpMethod.Head, refused)).StatusCode.Should().Be(HttpStatusCode.NotFound, "a refused bucket is not made");
    }

    [Fact]
    public async Task BucketOwnerPreferred_GivesTheBucketOwnerWhatAnotherAccountWritesWithFullControl_InObjectAclsAndUploadListings()
    {
        var controls = "<OwnershipControls><Rule><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership></Rule></OwnershipControls>";
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "ownershipControls", body: Encoding.UTF8.GetBytes(controls))).EnsureSuccessStatusCode();
        var policy = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Other}}:root"},"Action":"s3:*","Resource":["arn:aws:s3:::{{Bucket}}","arn:aws:s3:::{{Bucket}}/*"]}]}""";
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "policy", body: Encoding.UTF8.GetBytes(policy))).EnsureSuccessStatusCode();
        XNamespace ns = "http://s3.amazonaws.com/doc/2006-03-01/";
        List<KeyValuePair<string, string>> fullControl = [new("x-amz-acl", "bucket-owner-full-control")];

        async Task<string> OwnerAsync(HttpResponseMessage response)
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Element(ns + "Owner")!.Element(ns + "ID")!.Value;
        }

        async Task<string> UploadOwnerAsync(string key, IReadOnlyList<KeyValuePair<string, string>> headers)
        {
            var created = await S3.SendAsync(HttpMethod.Post, Bucket, key, query: "uploads", headers: headers, account: TestAccounts.Other);
            var uploadId = XDocument.Parse(await created.Content.ReadAsStringAsync()).Root!.Element(ns + "UploadId")!.Value;
            return await OwnerAsync(await S3.SendAsync(HttpMethod.Get, Bucket, key, query: $"uploadId={uploadId}", account: TestAccounts.Other));
        }

        (await S3.SendAsync(HttpMethod.Put, Bucket, "granted", body: [1], headers: fullControl, account: TestAccounts.Other)).EnsureSuccessStatusCode();
        (await S3.SendAsync(HttpMethod.Put, Bucket, "kept", body: [1], account: TestAccounts.Other)).EnsureSuccessStatusCode();
        (await OwnerAsync(await S3.SendAsync(HttpMethod.Get, Bucket, "granted", query: "acl"))).Should().Be(Owner);
        (await OwnerAsync(await S3.SendAsync(HttpMethod.Get, Bucket, "kept", query: "acl"))).Should().Be(Other, "without full control the writer keeps it");
        (await UploadOwnerAsync("granted-upload", fullControl)).Should().Be(Owner, "ListParts names the object's owner to be");
        (await UploadOwnerAsync("kept-upload", [])).Should().Be(Other);
    }

    [Fact]
    public async Task BucketOwnerEnforced_GivesTheBucketOwnerAnUploadStartedWithAnotherAccountsAcl()
    {
        static byte[] Controls(string ownership) =>
            Encoding.UTF8.GetBytes($"<OwnershipControls><Rule><ObjectOwnership>{ownership}</ObjectOwnership></Rule></OwnershipControls>");
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "ownershipControls", body: Controls("BucketOwnerPreferred"))).EnsureSuccessStatusCode();
        var policy = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Other}}:root"},"Action":"s3:*","Resource":["arn:aws:s3:::{{Bucket}}","arn:aws:s3:::{{Bucket}}/*"]}]}""";
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "policy", body: Encoding.UTF8.GetBytes(policy))).EnsureSuccessStatusCode();
        XNamespace ns = "http://s3.amazonaws.com/doc/2006-03-01/";
        var created = await S3.SendAsync(HttpMethod.Post, Bucket, "upload", query: "uploads", headers: [new("x-amz-acl", "private")], account: TestAccounts.Other);
        var uploadId = XDocument.Parse(await created.Content.ReadAsStringAsync()).Root!.Element(ns + "UploadId")!.Value;

        async Task<string> UploadOwnerAsync()
        {
            var response = await S3.SendAsync(HttpMethod.Get, Bucket, "upload", query: $"uploadId={uploadId}", account: TestAccounts.Other);
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Element(ns + "Owner")!.Element(ns + "ID")!.Value;
        }

        (await UploadOwnerAsync()).Should().Be(Other);
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "ownershipControls", body: Controls("BucketOwnerEnforced"))).EnsureSuccessStatusCode();
        (await UploadOwnerAsync()).Should().Be(Owner, "under BucketOwnerEnforced the bucket owner owns everything");
    }

    [Fact]
    public async Task PutOwnershipControls_BucketOwnerEnforced_IsInvalidBucketAclWithObjectOwnership_WhileTheBucketAclGrantsOthers()
    {
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "acl", headers: [new("x-amz-acl", "public-read")])).EnsureSuccessStatusCode();
        var controls = "<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>";
        await (await S3.SendAsync(HttpMethod.Put, Bucket, query: "ownershipControls", body: Encoding.UTF8.GetBytes(controls)))
            .ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidBucketAclWithObjectOwnership", Dialect.S3);
    }

    [Fact]
    public async Task PublicAccessBlock_RefusesOrIgnoresWhatIsPublic()
    {
        await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "publicAccessBlock"))
            .ShouldBeErrorAsync(HttpStatusCode.NotFound, "NoSuchPublicAccessBlockConfiguration", Dialect.S3);
        await Server.PutObjectAsync(Bucket, "public.txt", [1], [new("x-cos-acl", "public-read")]);
        var block = "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>" +
            "<BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>";
        (await S3.SendAsync(HttpMethod.Put, Bucket, query: "publicAccessBlock", body: Encoding.UTF8.GetBytes(block))).EnsureSuccessStatusCode();
        (await (await S3.SendAsync(HttpMethod.Get, Bucket, query: "publicAccessBlock")).Content.ReadAsStringAsync()).Should().Be(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
            "<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>" +
            "<RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>");

        (await Anonymous(HttpMethod.Get, "public.txt")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "IgnorePublicAcls");
        await (await Cos(HttpMethod.Put, "new.txt", content: new ByteArrayContent([1]), headers: [new("x-cos-acl", "public-read")]))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        await (await Cos(HttpMethod.Put, null, "acl", headers: [new("x-cos-grant-read", "uri=\"http://cam.qcloud.com/groups/global/AllUsers\"")]))
            .ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        var publicPolicy = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{Bucket}}/*"}]}""";
        await (await Cos(HttpMethod.Put, null, "policy", new StringContent(publicPolicy))).ShouldBeErrorAsync(HttpStatusCode.Forbidden, "AccessDenied");
        (await Server.SendAsync(Server.Request(HttpMethod.Head, Bucket, "new.txt"))).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing was stored");

        (await S3.SendAsync(HttpMethod.Delete, Bucket, query: "publicAccessBlock")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await Anonymous(HttpMethod.Get, "public.txt")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Cos(HttpMethod.Put, null, "policy", new StringContent(publicPolicy))).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task RestrictPublicBuckets_KeepsAPublicPolicyFromAnyoneOutsideTheOwnersAccount()
    {
        await Server.PutObjectAsync(Bucket, "k", [1]);
        var publicPolicy = $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{Bucket}}/*"}]}""";
        (await Cos(HttpMethod.Put, null, "policy", new StringContent(publicPolicy))).EnsureSuccessStatusCode();
        (await Anonymous(HttpMethod.Get, "k")).StatusCode.Should().Be(HttpStatusCode.OK);

        var block = "<PublicAccessBlockConfiguration><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>";
        (await Cos(HttpMethod.Put, null, "publicAccessBlock", new StringContent(block))).EnsureSuccessStatusCode();
        (await Anonymous(HttpMethod.Get, "k")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Cos(HttpMethod.Get, "k", account: TestAccounts.Other)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    private Task<HttpResponseMessage> Cos(HttpMethod method, string? key, string query = "", HttpContent? content = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null, Model.Accounts.Account? account = null) =>
        Server.SendAsync(Server.Request(method, Bucket, key, query, content, account, headers));

    [Fact]
    public async Task ResponseHeaderOverrides_AreRefusedToAnonymousReaders_OfAPublicObject_AndServedToSignedOnes()
    {
        (await S3.SendAsync(HttpMethod.Put, Bucket, "page.txt", body: [1], headers: [new("x-amz-acl", "public-read")])).EnsureSuccessStatusCode();
        (await Anonymous(HttpMethod.Get, "page.txt")).StatusCode.Should().Be(HttpStatusCode.OK);

        var anonymous = await Anonymous(HttpMethod.Get, "page.txt", "response-content-type=text%2Fhtml");
        (await anonymous.ShouldBeErrorAsync(HttpStatusCode.BadRequest, "InvalidRequest")).Element("Message")!.Value
            .Should().Be("Request specific response headers cannot be used for anonymous GET requests.");
        (await Anonymous(HttpMethod.Head, "page.txt", "response-content-disposition=attachment")).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            var signed = await Server.SendAsync(Server.Request(method, Bucket, "page.txt", query: "response-content-type=text%2Fhtml&response-cache-control=no-store"));
            signed.StatusCode.Should().Be(HttpStatusCode.OK, method.Method);
            signed.Content.Headers.ContentType!.MediaType.Should().Be("text/html", method.Method);
            signed.Headers.CacheControl!.NoStore.Should().BeTrue(method.Method);
        }
    }

    private Task<HttpResponseMessage> Anonymous(HttpMethod method, string key, string query = "")
    {
        var request = Server.Request(method, Bucket, key, query);
        request.Headers.Remove("Authorization");
        return Server.SendRawAsync(request);
    }
}
