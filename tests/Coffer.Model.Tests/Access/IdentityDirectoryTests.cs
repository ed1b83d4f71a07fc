using System.Text;
using Coffer.Common;
using Coffer.Model.Accounts;
using Coffer.Testing;

namespace Coffer.Model.Tests.Access;

public sealed class IdentityDirectoryTests : IDisposable
{
    private static readonly Account Owner = TestAccounts.Owner;
    private readonly ObjectServiceFixture _fixture = new();
    private readonly IdentityDirectory _identities;

    public IdentityDirectoryTests()
    {
        _identities = new IdentityDirectory(new AccountDirectory([Owner, TestAccounts.Other]), _fixture.Engine.Metadata, _fixture.Time);
    }

    [Fact]
    public async Task Find_GivesEachKindOfKey_ItsIdentityAndPolicies()
    {
        var policy = Encoding.UTF8.GetBytes("""{"version":"2.0","statement":[{"effect":"allow","action":"name/cos:GetObject","resource":"*"}]}""");
        var sub = await _identities.CreateSubAccountAsync(Owner.AppId, "ci", "100000000011", policy);
        var temporary = await _identities.CreateTemporaryKeyAsync(Owner.AppId, sub.Uin, TimeSpan.FromHours(1), null);

        _identities.Find(Owner.SecretId)!.Identity.IsRoot.Should().BeTrue();
        var subKey = _identities.Find(sub.SecretId)!;
        subKey.Identity.Principal.Should().Be("qcs::cam::uin/100000000001:uin/100000000011");
        subKey.IdentityPolicy.Should().NotBeNull();
        subKey.IsTemporary.Should().BeFalse();
        var temporaryKey = _identities.Find(temporary.SecretId)!;
        temporaryKey.IsTemporary.Should().BeTrue();
        temporaryKey.IdentityPolicy.Should().NotBeNull("a sub-account's temporary key stays within the sub-account's policy");
        temporaryKey.ExpiresAt.Should().Be(_fixture.Time.GetUtcNow().AddHours(1));
        _identities.Find("AKIDnobody").Should().BeNull();
    }

    [Fact]
    public async Task TemporaryKeys_DieWithTheirSubAccount()
    {
        var sub = await _identities.CreateSubAccountAsync(Owner.AppId, "ci", null, null);
        var temporary = await _identities.CreateTemporaryKeyAsync(Owner.AppId, sub.Uin, TimeSpan.FromHours(1), null);
        (await _identities.DeleteAsync(sub.SecretId)).Should().BeTrue();

        _identities.Find(temporary.SecretId).Should().BeNull("its sub-account is gone");
    }

    [Fact]
    public async Task ExpiredTemporaryKeys_AreRemoved_WhenTheNextKeyIsMade()
    {
        var old = await _identities.CreateTemporaryKeyAsync(Owner.AppId, Owner.Uin, TimeSpan.FromMinutes(1), null);
        _fixture.Time.Advance(TimeSpan.FromMinutes(2));
        await _identities.CreateTemporaryKeyAsync(Owner.AppId, Owner.Uin, TimeSpan.FromMinutes(1), null);

        _identities.List(Owner.AppId).Select(c => c.SecretId).Should().NotContain(old.SecretId);
    }

    [Fact]
    public async Task SubAccounts_NeedAUinOfTheirOwn()
    {
        var rootsUin = () => _identities.CreateSubAccountAsync(Owner.AppId, "x", Owner.Uin, null);
        (await rootsUin.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);
        await _identities.CreateSubAccountAsync(Owner.AppId, "first", "100000000011", null);
        var twice = () => _identities.CreateSubAccountAsync(Owner.AppId, "second", "100000000011", null);
        (await twice.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);

        var configuredAsRoot = () => new IdentityDirectory(new AccountDirectory([Owner]), _fixture.Engine.Metadata, _fixture.Time,
            [new SubAccount(Owner.AppId, Owner.Uin, "x", "AKIDconfigured", "key", null)]);
        configuredAsRoot.Should().Throw<ArgumentException>().WithMessage("*other than its root's*");
    }

    public void Dispose() => _fixture.Dispose();
}
