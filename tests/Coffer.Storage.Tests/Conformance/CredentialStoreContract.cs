using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>What <see cref="ICredentialReader"/> and <see cref="ICredentialWriter"/> promise.</summary>
public abstract class CredentialStoreContract<TEngine> : StoreContract<TEngine>
    where TEngine : ITestEngine, new()
{
    private static readonly CredentialRecord Temporary = new()
    {
        SecretId = "AKIDtemp",
        SecretKey = "secret",
        Kind = CredentialKinds.Temporary,
        AppId = "1250000000",
        Uin = "100000000011",
        Name = "ci",
        SessionToken = "token",
        ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000),
        Policy = [1, 2, 3],
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000),
    };

    [Fact]
    public async Task Insert_RoundTripsEveryField_AndListsByAccountThenIdentity()
    {
        var sub = Temporary with { SecretId = "AKIDsub", Kind = CredentialKinds.SubAccount, Uin = "100000000010", SessionToken = null, ExpiresAt = null, Policy = null };
        var later = Temporary with { SecretId = "AKIDlater", CreatedAt = Temporary.CreatedAt.AddSeconds(1) };
        var foreign = Temporary with { SecretId = "AKIDforeign", AppId = "1250000001" };
        await Store.WriteAsync(w =>
        {
            foreach (var credential in new[] { later, Temporary, foreign, sub })
            {
                w.Credentials.Insert(credential);
            }

            return 0;
        });

        using var snapshot = Store.OpenSnapshot();
        snapshot.Credentials.Get("AKIDtemp").Should().BeEquivalentTo(Temporary);
        snapshot.Credentials.Get("AKIDsub").Should().BeEquivalentTo(sub);
        snapshot.Credentials.Get("AKIDnone").Should().BeNull();
        snapshot.Credentials.List("1250000000").Select(c => c.SecretId).Should().Equal("AKIDsub", "AKIDtemp", "AKIDlater");
        snapshot.Credentials.List("1250000000", "100000000011").Select(c => c.SecretId).Should().Equal("AKIDtemp", "AKIDlater");
        snapshot.Credentials.List("1250000009").Should().BeEmpty();
    }

    [Fact]
    public async Task Delete_SaysWhetherThereWasOne_AndDeleteExpiredTakesOnlyTheExpired()
    {
        await Store.WriteAsync(w =>
        {
            w.Credentials.Insert(Temporary);
            w.Credentials.Insert(Temporary with { SecretId = "AKIDold", ExpiresAt = Temporary.CreatedAt });
            w.Credentials.Insert(Temporary with { SecretId = "AKIDsub", Kind = CredentialKinds.SubAccount, ExpiresAt = null });
            return 0;
        });

        (await Store.WriteAsync(w => w.Credentials.DeleteExpired(Temporary.CreatedAt.AddSeconds(1)))).Should().Be(1);
        (await Store.WriteAsync(w => w.Credentials.Delete("AKIDtemp"))).Should().BeTrue();
        (await Store.WriteAsync(w => w.Credentials.Delete("AKIDtemp"))).Should().BeFalse();

        using var snapshot = Store.OpenSnapshot();
        snapshot.Credentials.List("1250000000").Select(c => c.SecretId).Should().Equal("AKIDsub");
    }

    [Fact]
    public async Task Insert_Fails_ForASecretIdTaken()
    {
        await Store.WriteAsync(w =>
        {
            w.Credentials.Insert(Temporary);
            return 0;
        });
        var again = () => Store.WriteAsync(w =>
        {
            w.Credentials.Insert(Temporary with { SecretKey = "other" });
            return 0;
        });
        await again.Should().ThrowAsync<Exception>();

        using var snapshot = Store.OpenSnapshot();
        snapshot.Credentials.Get("AKIDtemp")!.SecretKey.Should().Be("secret");
    }
}

public sealed class SqliteCredentialStore : CredentialStoreContract<SqliteTestEngine>;

public sealed class PostgresCredentialStore : CredentialStoreContract<PostgresTestEngine>;
