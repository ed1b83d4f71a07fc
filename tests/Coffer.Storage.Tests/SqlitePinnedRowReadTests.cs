using System.Text;
using Coffer.Storage.Tests.Conformance;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

/// <summary>
/// The embedded engine reads a pinned instant's rows in place on a connection of its own, whose read transaction begins
/// after the session's: a bucket deleted between the two must fail the read, not read as a bucket with no objects.
/// </summary>
public sealed class SqlitePinnedRowReadTests : StoreContract<SqliteTestEngine>
{
    [Fact]
    public async Task ReadLatestRows_Throws_WhenTheBucketWasDeletedAfterThePinnedSessionFoundIt()
    {
        var bucket = await CreateBucketAsync();
        var a = await InsertAsync(bucket, "a");
        var point = await Store.WriteAsync(w => w.Pins.Pin("run-1"));
        using var at = Store.OpenSnapshot(point);
        at.Buckets.Get(bucket.Name).Should().NotBeNull();
        await Store.WriteAsync(w =>
        {
            w.Versions.Delete(bucket.Id, "a", a.Sequence);
            return 0;
        });
        (await Store.WriteAsync(w => w.Buckets.DeleteIfEmpty(bucket.Id))).Should().BeTrue();

        // The session's own snapshot still holds the pinned row; a connection opened now finds neither bucket nor row.
        at.Versions.ScanLatest(bucket.Id, "", true, null).Select(v => v.Key).Should().Equal("a");
        var read = () => at.Versions.ReadLatestRows(bucket.Id, "", true, null).Dispose();
        var readVersions = () => at.Versions.ReadVersionRows(bucket.Id, "", true, null).Dispose();

        read.Should().Throw<InvalidOperationException>().WithMessage("*deleted*");
        readVersions.Should().Throw<InvalidOperationException>().WithMessage("*deleted*");
    }

    [Fact]
    public async Task ReadLatestRows_ReadsThePinnedRows_WhenTheBucketStillExists()
    {
        var bucket = await CreateBucketAsync();
        var a = await InsertAsync(bucket, "a");
        var point = await Store.WriteAsync(w => w.Pins.Pin("run-1"));
        await Store.WriteAsync(w =>
        {
            w.Versions.Delete(bucket.Id, "a", a.Sequence);
            return 0;
        });
        using var at = Store.OpenSnapshot(point);

        using var rows = at.Versions.ReadLatestRows(bucket.Id, "", true, null);

        rows.Read(out var row).Should().BeTrue();
        (Encoding.UTF8.GetString(row.Key), row.Sequence).Should().Be(("a", a.Sequence));
        rows.Read(out _).Should().BeFalse();
    }
}
