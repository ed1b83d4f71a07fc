using System.Text;
using Coffer.Common;
using Coffer.Common.Acl;
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
    public void Grants_NameAnAccount_AnIdentity_OrAGroup_ForThePermissionTheyGive()
    {
        var acl = new AccessControlList(Owner.Uin,
        [
            new(AclGrantee.Account(Other.Uin), AclGrantPermission.Read),
            new(new AclGrantee(AclGranteeType.User, Principals.Of(Owner.Uin, "100000000011")), AclGrantPermission.WriteAcp),
            new(AclGrantee.AuthenticatedUsers, AclGrantPermission.ReadAcp),
        ]);
        var rules = Rules(null, acl);
        Allowed(OtherRoot, rules, "GetObject", "k", AclPermission.Read).Should().BeTrue();
        Allowed(OtherRoot, rules, "PutObject", "k", AclPermission.Write).Should().BeFalse("READ is not WRITE");
        Allowed(OtherSub, rules, "GetObject", "k", AclPermission.Read).Should().BeFalse("another account's sub-account also needs its own policy");
        Allowed(OtherSub with { IdentityPolicy = Identity("allow", "name/cos:GetObject") }, rules, "GetObject", "k", AclPermission.Read).Should().BeTrue();
        Allowed(OwnerSub, rules, "PutObjectACL", "k", AclPermission.WriteAcp).Should().BeTrue("granted to its own principal");
        Allowed(OwnerSub, rules, "GetObject", "k", AclPermission.Read).Should().BeFalse();
        Allowed(OtherRoot, rules, "GetObjectACL", "k", AclPermission.ReadAcp).Should().BeTrue("AuthenticatedUsers is anyone signed");
        Allowed(null, rules, "GetObjectACL", "k", AclPermission.ReadAcp).Should().BeFalse("but not anonymous");
        Allowed(OtherRoot, Rules(null, new AccessControlList(Owner.Uin, [new(AclGrantee.Account(Other.Uin), AclGrantPermission.FullControl)])),
            "PutObject", "k", AclPermission.Write).Should().BeTrue("FULL_CONTROL gives every permission");
    }

    [Fact]
    public void OwnersFullControl_DoesNotReachTheOwnersSubAccounts()
    {
        Allowed(OwnerSub, Rules(), "GetObject", "k", AclPermission.Read).Should().BeFalse("the private ACL grants the owner's account, which is its root");
        Allowed(OtherRoot, Rules(null, AccessControlList.Private(Other.Uin)), "GetObjectACL", "k", AclPermission.ReadAcp)
            .Should().BeTrue("an object's owner may always read its ACL");
    }

    [Fact]
    public void OwnershipEnforced_TurnsAclsOff_AndThePublicAccessBlockIgnoresOrRestrictsWhatIsPublic()
    {
        Allowed(null, Rules(acl: CannedAcl.PublicRead, settings: new BucketAccessSettings(ObjectOwnership.BucketOwnerEnforced, PublicAccessBlock.None)),
            "GetObject", "k", AclPermission.Read).Should().BeFalse();
        Allowed(null, Rules(acl: CannedAcl.PublicRead, settings: new BucketAccessSettings(null, new PublicAccessBlock(false, true, false, false))),
            "GetObject", "k", AclPermission.Read).Should().BeFalse("IgnorePublicAcls");
        var publicPolicy = Policy("""{"effect":"allow","principal":{"qcs":["qcs::cam::anyone:anyone"]},"action":"name/cos:GetObject","resource":"RESOURCE"}""");
        var restricted = new BucketAccessSettings(null, new PublicAccessBlock(false, false, false, true));
        Allowed(null, Rules(publicPolicy, settings: restricted), "GetObject", "k").Should().BeFalse("RestrictPublicBuckets");
        Allowed(OtherRoot, Rules(publicPolicy, settings: restricted), "GetObject", "k").Should().BeFalse();
        Allowed(OwnerSub, Rules(publicPolicy, settings: restricted), "GetObject", "k").Should().BeTrue("the owner's account is still served");
        Allowed(null, Rules(publicPolicy), "GetObject", "k").Should().BeTrue();
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

    private static BucketAccessRules Rules(AccessPolicy? policy = null, string acl = CannedAcl.Private, BucketAccessSettings? settings = null) =>
        Rules(policy, CannedAcl.Expand(acl, Owner.Uin, Owner.Uin, forObject: false), settings);

    private static BucketAccessRules Rules(AccessPolicy? policy, AccessControlList acl, BucketAccessSettings? settings = null) =>
        new(new BucketInfo(Bucket, Owner.AppId, "ap-guangzhou", DateTimeOffset.UnixEpoch, BucketVersioning.Unversioned), Owner.Uin, policy, acl, settings);

    private static AccessPolicy Statement(string effect, string rootUin, string uin, string action) =>
        Policy($$"""{"effect":"{{effect}}","principal":{"qcs":["qcs::cam::uin/{{rootUin}}:uin/{{uin}}"]},"action":"{{action}}","resource":"RESOURCE"}""");

    private static AccessPolicy Policy(string statement) =>
        AccessPolicy.Parse(Encoding.UTF8.GetBytes($$"""{"version":"2.0","statement":[{{statement.Replace("RESOURCE", Resource)}}]}"""), bucketPolicy: true);

    private static AccessPolicy Identity(string effect, string action) =>
        AccessPolicy.Parse(Encoding.UTF8.GetBytes($$"""{"version":"2.0","statement":[{"effect":"{{effect}}","action":"{{action}}","resource":"*"}]}"""), false);

    private static Credential Root(Account account) => new(account.SecretId, account.SecretKey, new Identity(account, account.Uin, null));

    private static Credential Sub(Account account, string uin) => new("AKIDsub" + uin, "key", new Identity(account, uin, "sub"));
}
