using Coffer.Testing;

namespace Coffer.Storage.Tests.Conformance;

/// <summary>What <see cref="IConfigReader"/> and <see cref="IConfigWriter"/> promise.</summary>
public abstract class ConfigStoreContract<TEngine> : StoreContract<TEngine>
    where TEngine : ITestEngine, new()
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    [Fact]
    public async Task Put_CreatesThenReplaces_KeepingThePlaceInCreationOrder()
    {
        var bucket = await CreateBucketAsync();
        var first = await Store.WriteAsync(w => w.Configs.Put(bucket.Id, "inventory", "a", [1], Created));
        await Store.WriteAsync(w => w.Configs.Put(bucket.Id, "inventory", "b", [2], Created));
        var replaced = await Store.WriteAsync(w => w.Configs.Put(bucket.Id, "inventory", "a", [3], Created.AddSeconds(5)));

        replaced.Sequence.Should().Be(first.Sequence);
        replaced.Body.Should().Equal(3);
        replaced.CreatedAt.Should().Be(Created);
        replaced.UpdatedAt.Should().Be(Created.AddSeconds(5));
        using var snapshot = Store.OpenSnapshot();
        snapshot.Configs.List(bucket.Id, "inventory", 0, 10).Select(c => (c.ConfigId, c.Body[0])).Should().Equal(("a", (byte)3), ("b", (byte)2));
        snapshot.Configs.Get(bucket.Id, "inventory", "a").Should().BeEquivalentTo(replaced);
    }

    [Fact]
    public async Task List_PagesAfterASequence_AndCountCountsOneKind()
    {
        var bucket = await CreateBucketAsync();
        var stored = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            stored.Add((await Store.WriteAsync(w => w.Configs.Put(bucket.Id, "inventory", $"c{i}", [(byte)i], Created))).Sequence);
        }

        await Store.WriteAsync(w => w.Configs.Put(bucket.Id, "policy", "", [9], Created));

        using var snapshot = Store.OpenSnapshot();
        snapshot.Configs.List(bucket.Id, "inventory", stored[1], 2).Select(c => c.ConfigId).Should().Equal("c2", "c3");
        snapshot.Configs.List(bucket.Id, "inventory", stored[4], 2).Should().BeEmpty();
        snapshot.Configs.Count(bucket.Id, "inventory").Should().Be(5);
        snapshot.Configs.Count(bucket.Id, "policy").Should().Be(1);
        snapshot.Configs.Count(bucket.Id, "acl").Should().Be(0);
    }

    [Fact]
    public async Task ListAll_ReturnsEveryBucketsConfigurationsOfAKind_WithTheirBuckets_InCreationOrder()
    {
        var one = await CreateBucketAsync("one-1");
        var two = await CreateBucketAsync("two-1");
        await Store.WriteAsync(w => w.Configs.Put(two.Id, "inventory", "x", [1], Created));
        await Store.WriteAsync(w => w.Configs.Put(one.Id, "inventory", "y", [2], Created));
        await Store.WriteAsync(w => w.Configs.Put(one.Id, "policy", "", [3], Created));

        using var snapshot = Store.OpenSnapshot();
        snapshot.Configs.ListAll("inventory").Select(p => (p.Bucket.Name, p.Config.ConfigId)).Should().Equal(("two-1", "x"), ("one-1", "y"));
        snapshot.Configs.ListAll("inventory")[0].Bucket.Should().BeEquivalentTo(two);
    }

    [Fact]
    public async Task GetKinds_ReturnsOneBucketsConfigurationsOfTheNamedKinds_InASnapshotAndAWrite()
    {
        var bucket = await CreateBucketAsync("one-1");
        var other = await CreateBucketAsync("two-1");
        await Store.WriteAsync(w => w.Configs.Put(bucket.Id, "policy", "", [1], Created));
        await Store.WriteAsync(w => w.Configs.Put(bucket.Id, "encryption", "default", [2], Created));
        await Store.WriteAsync(w => w.Configs.Put(bucket.Id, "inventory", "a", [3], Created));
        await Store.WriteAsync(w => w.Configs.Put(other.Id, "logging", "", [4], Created));
        string[] kinds = ["policy", "logging", "encryption"];

        using (var snapshot = Store.OpenSnapshot())
        {
            snapshot.Configs.GetKinds(bucket.Id, kinds).Select(c => (c.Kind, c.ConfigId, c.Body[0]))
                .Should().BeEquivalentTo([("policy", "", (byte)1), ("encryption", "default", (byte)2)]);
            snapshot.Configs.GetKinds(other.Id, ["policy", "encryption"]).Should().BeEmpty();
        }

        var written = await Store.WriteAsync(w => w.Configs.GetKinds(other.Id, kinds));
        written.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Kind = "logging", ConfigId = "", Body = new byte[] { 4 } });
    }

    [Fact]
    public async Task GetKinds_AnswersNothingForNoKinds_AndEachConfigurationOnceForARepeatedKind()
    {
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w => w.Configs.Put(bucket.Id, "policy", "", [1], Created));

        using (var snapshot = Store.OpenSnapshot())
        {
            snapshot.Configs.GetKinds(bucket.Id, []).Should().BeEmpty();
            snapshot.Configs.GetKinds(bucket.Id, ["policy", "policy"]).Should().ContainSingle();
        }

        (await Store.WriteAsync(w => w.Configs.GetKinds(bucket.Id, []))).Should().BeEmpty();
        (await Store.WriteAsync(w => w.Configs.GetKinds(bucket.Id, ["policy", "logging", "policy"]))).Should().ContainSingle()
            .Which.Kind.Should().Be("policy");
    }

    [Fact]
    public async Task Delete_SaysWhetherThereWasOne()
    {
        var bucket = await CreateBucketAsync();
        await Store.WriteAsync(w => w.Configs.Put(bucket.Id, "inventory", "a", [1], Created));
        (await Store.WriteAsync(w => w.Configs.Delete(bucket.Id, "inventory", "a"))).Should().BeTrue();
        (await Store.WriteAsync(w => w.Configs.Delete(bucket.Id, "inventory", "a"))).Should().BeFalse();

        using var snapshot = Store.OpenSnapshot();
        snapshot.Configs.Get(bucket.Id, "inventory", "a").Should().BeNull();
    }

    [Fact]
    public async Task ConcurrentPuts_CountedAgainstALimit_NeverExceedIt()
    {
        // As the inventory rule does: count, and add only below the limit.
        var bucket = await CreateBucketAsync();
        var puts = Enumerable.Range(0, 12).Select(n => Task.Run(() => Store.WriteAsync(w =>
            w.Configs.Count(bucket.Id, "inventory") < 5 ? w.Configs.Put(bucket.Id, "inventory", $"c{n}", [1], Created) : null)));
        await Task.WhenAll(puts);

        using var snapshot = Store.OpenSnapshot();
        snapshot.Configs.Count(bucket.Id, "inventory").Should().Be(5);
    }
}

public sealed class SqliteConfigStore : ConfigStoreContract<SqliteTestEngine>;

public sealed class PostgresConfigStore : ConfigStoreContract<PostgresTestEngine>;
