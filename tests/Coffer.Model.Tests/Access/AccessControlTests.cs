using System.Text;
using Coffer.Common;
using Coffer.Model.Access;
using Coffer.Model.Accounts;
using Coffer.Model.Buckets;
using Coffer.Testing;

namespace Coffer.Model.Tests.Access;

/// <summary>The one access decision, case by case: owner, its sub-accounts, other accounts and theirs, anonymous, temporary keys.</summary>
public sealed class AccessControlTests
{
    private const string Bucket = "examplebucket-1250000000";
    private const string Resource = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*";
    private static readonly Account Owner = TestAccounts.Owner;
    private static readonly Account Other = TestAccounts.Other;
    private static readonly Credential OwnerRoot = Root(Owner);
    private static readonly Credential OtherRoot = Root(Other);
    private static readonly Credential OwnerSub = Sub(Owner, "100000000011");
    private static readonly Credential OtherSub = Sub(Other, "100000000022");

    [Fact]
    public void Owner_IsAllowedEverything_WithoutAPolicy()
    {
        Allowed(OwnerRoot, Rules(), "PutBucketInventory").Should().BeTrue();
        Allowed(OwnerRoot, Rules(), "GetObject", "k").Should().BeTrue();
    }

    [Fact]
    public void Owner_IsDeniedByAnExplicitDeny_ButCanStillManageThePolicy()
    {
        var rules = Rules(Statement("deny", Owner.Uin, Owner.Uin, "name/cos:*"));
        Allowed(OwnerRoot, rules, "GetObject", "k").Should().BeFalse();
        Allowed(OwnerRoot, rules, "DeleteBucketPolicy", managesPolicy: true).Should().BeTrue("the owner cannot lock itself out");
    }

    [Theory]
    [InlineData("PutBucketInventory")]
    [InlineData("GetBucketInventory")]
    [InlineData("DeleteBucketInventory")]
    [InlineData("ListBucketInventory")]
    [InlineData("PostBucketInventory")]
    public void SubAccount_WithoutAGrant_IsDeniedEveryInventoryAction(string action) =>
        Allowed(OwnerSub, Rules(), action).Should().BeFalse();

    [Fact]
    public void SubAccount_GrantedOnlyGetBucketInventory_CanGetButNotPut()
    {
        var rules = Rules(Statement("allow", Owner.Uin, "100000000011", "name/cos:GetBucketInventory"));
        Allowed(OwnerSub, rules, "GetBucketInventory").Should().BeTrue();
        Allowed(OwnerSub, rules, "PutBucketInventory").Should().BeFalse();
    }

    [Fact]
    public void SubAccount_IsAllowed_ByItsOwnPolicy_UnlessTheBucketDenies()
    {
        var allowEverything = Identity("allow", "name/cos:*");
        var sub = OwnerSub with { IdentityPolicy = allowEverything };
        Allowed(sub, Rules(), "PutObject", "k").Should().BeTrue();
        Allowed(sub, Rules(Statement("deny", Owner.Uin, "100000000011", "name/cos:PutObject")), "PutObject", "k").Should().BeFalse();
    }

    [Fact]
    public void AnotherAccount_NeedsTheBucketsAllow()
    {
        Allowed(OtherRoot, Rules(), "GetObject", "k").Should().BeFalse();
        Allowed(OtherRoot, Rules(Statement("allow", Other.Uin, Other.Uin, "name/cos:GetObject")), "GetObject", "k").Should().BeTrue();
        Allowed(OtherRoot, Rules(Statement("allow", Other.Uin, Other.Uin, "name/cos:GetObject")), "PutObject", "k").Should().BeFalse();
    }

    [Fact]
    public void AnotherAccountsSubAccount_NeedsTheBucketsAllowAndItsOwn()
    {
        var bucketAllowsTheAccount = Rules(Statement("allow", Other.Uin, Other.Uin, "name/cos:GetObject"));
        Allowed(OtherSub, bucketAllowsTheAccount, "GetObject", "k").Should().BeFalse("its own account has not delegated it");
        Allowed(OtherSub with { IdentityPolicy = Identity("allow", "name/cos:GetObject") }, bucketAllowsTheAccount, "GetObject", "k").Should().BeTrue();
        Allowed(OtherSub with { IdentityPolicy = Identity("allow", "name/cos:GetObject") }, Rules(), "GetObject", "k").Should().BeFalse();
    }

    [Fact]
    public void Anonymous_IsAllowedOnlyWhatTheAclOrAnAnyonePolicyGrants()
    {
        Allowed(null, Rules(), "GetObject", "k", AclPermission.Read).Should().BeFalse();
        Allowed(null, Rules(acl: CannedAcl.PublicRead), "GetObject", "k", AclPermission.Read).Should().BeTrue();
        Allowed(null, Rules(acl: CannedAcl.PublicRead), "PutObject", "k", AclPermission.Write).Should().BeFalse();
        Allowed(null, Rules(acl: CannedAcl.PublicReadWrite), "PutObject", "k", AclPermission.Write).Should().BeTrue();
        Allowed(null, Rules(acl: CannedAcl.PublicReadWrite), "PutBucketInventory").Should().BeFalse("ACLs grant object reads and writes only");
        var anyone = Rules(Policy("""{"effect":"allow","principal":{"qcs":["qcs::cam::anyone:anyone"]},"action":"name/cos:GetObject","resource":"RESOURCE"}"""));
        Allowed(null, anyone, "GetObject", "k").Should().BeTrue();
    }

    [Fact]
    public void TemporaryKey_CanDoOnlyWhatItsPolicyAllows_EvenForTheOwner()
    {
        var temporary = OwnerRoot with { SessionToken = "token", SessionPolicy = Identity("allow", "name/cos:GetObject") };
        Allowed(temporary, Rules(), "GetObject", "k").Should().BeTrue();
        Allowed(temporary, Rules(), "PutObject", "k").Should().BeFalse();
        Allowed(temporary, Rules(), "DeleteBucketPolicy", managesPolicy: true).Should().BeFalse();
    }

    [Fact]
    public void Service_RequestsOfASubAccount_NeedItsOwnPolicy()
    {
        var request = AccessRequest.ForService(["cos:GetService", "s3:ListAllMyBuckets"], new Dictionary<string, string>());
        AccessControl.IsAllowed(OwnerRoot, null, request, AclPermission.None, false).Should().BeTrue();
        AccessControl.IsAllowed(OwnerSub, null, request, AclPermission.None, false).Should().BeFalse();
        var everywhere = AccessPolicy.Parse("""{"version":"2.0","statement":[{"effect":"allow","action":"name/cos:GetService","resource":"*"}]}"""u8, false);
        AccessControl.IsAllowed(OwnerSub with { IdentityPolicy = everywhere }, null, request, AclPermission.None, false).Should().BeTrue();
    }

    private static bool Allowed(Credential? caller, BucketAccessRules rules, string action, string? key = null, AclPermission acl = AclPermission.None,
        bool managesPolicy = false) =>
        AccessControl.IsAllowed(caller, rules, AccessRequest.For(["cos:" + action], "ap-guangzhou", Owner.AppId, Bucket, key, new Dictionary<string, string>()),
            acl, managesPolicy);

    private static BucketAccessRules Rules(AccessPolicy? policy = null, CannedAcl acl = CannedAcl.Private) =>
        new(new BucketInfo(Bucket, Owner.AppId, "ap-guangzhou", DateTimeOffset.UnixEpoch, BucketVersioning.Unversioned), policy, acl);

    private static AccessPolicy Statement(string effect, string rootUin, string uin, string action) =>
        Policy($$"""{"effect":"{{effect}}","principal":{"qcs":["qcs::cam::uin/{{rootUin}}:uin/{{uin}}"]},"action":"{{action}}","resource":"RESOURCE"}""");

    private static AccessPolicy Policy(string statement) =>
        AccessPolicy.Parse(Encoding.UTF8.GetBytes($$"""{"version":"2.0","statement":[{{statement.Replace("RESOURCE", Resource)}}]}"""), bucketPolicy: true);

    private static AccessPolicy Identity(string effect, string action) =>
        AccessPolicy.Parse(Encoding.UTF8.GetBytes($$"""{"version":"2.0","statement":[{"effect":"{{effect}}","action":"{{action}}","resource":"*"}]}"""), false);

    private static Credential Root(Account account) => new(account.SecretId, account.SecretKey, new Identity(account, account.Uin, null));

    private static Credential Sub(Account account, string uin) => new("AKIDsub" + uin, "key", new Identity(account, uin, "sub"));
}
