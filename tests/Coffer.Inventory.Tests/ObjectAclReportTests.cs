using System.Text;
using System.Text.Json;
using Coffer.Common.Acl;
using Coffer.Model.Access;
using Coffer.Model.Accounts;
using Coffer.Model.Inventory;
using Coffer.Testing;

namespace Coffer.Inventory.Tests;

/// <summary>
/// The ObjectOwner and ObjectAccessControlList columns of S3 reports, decoded: the base64 of the JSON document AWS
/// documents ("Working with the Object ACL field": version, status, grants of CanonicalUser ids and Group uris), for a
/// canned ACL, explicit grants, another account's object, and a bucket whose ownership controls disable ACLs.
/// </summary>
public sealed class ObjectAclReportTests : IDisposable
{
    private const string AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
    private static readonly string Owner = TestAccounts.Owner.Uin;
    private static readonly string Other = TestAccounts.Other.Uin;
    private readonly InventoryFixture _fixture = new();

    [Fact]
    public async Task ObjectAccessControlList_IsTheDocumentedJson_ForACannedAclGrantsAndAnotherAccountsObject()
    {
        await _fixture.CreateBucketsAsync();
        await PutAsync("canned", OwnerCredential, CannedAcl.PublicRead, []);
        await PutAsync("grants", OwnerCredential, null,
        [
            new AclGrant(AclGrantee.Account(Other), AclGrantPermission.Read),
            new AclGrant(AclGrantee.Account(Other), AclGrantPermission.ReadAcp),
            new AclGrant(AclGrantee.AllUsers, AclGrantPermission.Read),
        ]);
        await PutAsync("other", OtherCredential, CannedAcl.BucketOwnerFullControl, []);
        await PutAsync("plain", OwnerCredential, null, []);

        var rows = await ReportAsync("acls");

        rows.Select(r => r.Key).Should().Equal("canned", "grants", "other", "plain");
        rows[0].Should().Be(("canned", Owner, Document(Grant("FULL_CONTROL", Owner), Group("READ", AllUsers))));
        rows[1].Should().Be(("grants", Owner, Document(Grant("READ", Other), Grant("READ_ACP", Other), Group("READ", AllUsers))),
            "grants replace the canned default: the owner has only what they give");
        rows[2].Should().Be(("other", Other, Document(Grant("FULL_CONTROL", Other), Grant("FULL_CONTROL", Owner))),
            "another account's object is its writer's (ObjectWriter, the default), with the bucket owner's full control");
        rows[3].Should().Be(("plain", Owner, Document(Grant("FULL_CONTROL", Owner))), "S3's default ACL is private");
    }

    [Fact]
    public async Task ObjectAccessControlList_ShowsTheBucketOwnersFullControl_WhenTheBucketEnforcesItsOwnership()
    {
        await _fixture.CreateBucketsAsync();
        // Written while ACLs were on: another account's object, and a public one.
        await PutAsync("before-other", OtherCredential, CannedAcl.BucketOwnerFullControl, []);
        await PutAsync("before-public", OwnerCredential, CannedAcl.PublicRead, []);
        await _fixture.Access.PutOwnershipAsync(InventoryFixture.Source, ObjectOwnership.BucketOwnerEnforced);
        await PutAsync("after-other", OtherCredential, null, []);

        var rows = await ReportAsync("enforced");

        // AWS: the bucket owner owns every object and has full control; ACLs no longer count, and reads of them show that.
        var ownersOnly = Document(Grant("FULL_CONTROL", Owner));
        rows.Should().Equal(("after-other", Owner, ownersOnly), ("before-other", Owner, ownersOnly), ("before-public", Owner, ownersOnly));
    }

    public void Dispose() => _fixture.Dispose();

    private static Credential OwnerCredential => Of(TestAccounts.Owner);

    private static Credential OtherCredential => Of(TestAccounts.Other);

    private static Credential Of(Account account) => new(account.SecretId, account.SecretKey, new Identity(account, account.Uin, account.DisplayName));

    /// <summary>A PUT as the API makes it: the ACL the request asks for, whose the object is decided by the bucket's rules.</summary>
    private Task PutAsync(string key, Credential writer, string? canned, IReadOnlyList<AclGrant> grants)
    {
        var acl = AccessControl.NewObjectAcl(_fixture.Access.Rules(InventoryFixture.Source), writer, canned, grants, followBucketByDefault: false);
        return _fixture.PutAsync(key, key, r => r with { Acl = acl });
    }

    /// <summary>The report's rows: key, ObjectOwner and the decoded ObjectAccessControlList.</summary>
    private async Task<List<(string Key, string Owner, string Acl)>> ReportAsync(string id)
    {
        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration(id, InventoryDialect.S3,
            fields: ["ObjectOwner", "ObjectAccessControlList"], oneTime: true));
        run.State.Should().Be(InventoryRunState.Succeeded, run.ErrorMessage);
        var manifest = JsonDocument.Parse(_fixture.Read(run.ManifestKey!)).RootElement;
        return manifest.GetProperty("files").EnumerateArray()
            .SelectMany(f => Csv.Parse(_fixture.ReadGzip(f.GetProperty("key").GetString()!)))
            // Bucket, Key, then the fields in the order AWS lists them: ObjectAccessControlList before ObjectOwner.
            .Select(r => (r[1], r[3], Encoding.UTF8.GetString(Convert.FromBase64String(r[2]))))
            .ToList();
    }

    private static string Document(params string[] grants) =>
        $"{{\"version\":\"2022-11-10\",\"status\":\"AVAILABLE\",\"grants\":[{string.Join(",", grants)}]}}";

    private static string Grant(string permission, string uin) =>
        $"{{\"permission\":\"{permission}\",\"type\":\"CanonicalUser\",\"canonicalId\":\"{uin}\"}}";

    private static string Group(string permission, string uri) => $"{{\"permission\":\"{permission}\",\"type\":\"Group\",\"uri\":\"{uri}\"}}";
}
