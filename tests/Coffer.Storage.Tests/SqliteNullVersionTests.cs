using Coffer.Storage.Records;
using Coffer.Storage.Sqlite;
using Coffer.Storage.Tests.Conformance;
using Coffer.Testing;
using SQLitePCL;

namespace Coffer.Storage.Tests;

/// <summary>
/// The embedded engine's "null" versions, which its version-id index leaves out (schema 11): a PUT overwriting a key
/// must not read the dead revisions a snapshot pin keeps of it, and an assigned id must still be found by the index.
/// </summary>
public sealed class SqliteNullVersionTests : StoreContract<SqliteTestEngine>
{
    [Fact]
    public async Task Put_ReadsNoDeadRevision_WhileAPinKeepsEveryOverwriteOfTheKey()
    {
        var bucket = await CreateBucketAsync();
        await InsertAsync(bucket, "k");
        await Store.WriteAsync(w => w.Pins.Pin("run-1"));
        var early = await PutCountingStepsAsync(bucket, size: 2);
        await Store.WriteAsync(w =>
        {
            for (var size = 3; size <= 500; size++)
            {
                Put(w, bucket, "k", size);
            }

            return 0;
        });

        // Each dead revision a look-up steps through costs several instructions: 498 of them would be thousands.
        var late = await PutCountingStepsAsync(bucket, size: 501);
        late.Should().BeLessThan(early + 100, "the PUT's cost does not grow with the revisions the pin keeps ({0} instructions after one)", early);
        using var now = Store.OpenSnapshot();
        now.Versions.Get(bucket.Id, "k", ObjectVersionRecord.NullVersionId)!.Size.Should().Be(501);
    }

    [Fact]
    public async Task Insert_Fails_ForASecondNullVersion_InTheWorkWhoseLookUpFoundNone()
    {
        var bucket = await CreateBucketAsync();
        var twice = () => Store.WriteAsync(w =>
        {
            w.Versions.Get(bucket.Id, "k", ObjectVersionRecord.NullVersionId).Should().BeNull();
            w.Versions.Insert(Version(bucket, "k"));
            return w.Versions.Insert(Version(bucket, "k"));
        });

        var refused = await twice.Should().ThrowAsync<Microsoft.Data.Sqlite.SqliteException>();
        (refused.Which.SqliteErrorCode, refused.Which.SqliteExtendedErrorCode).Should().Be((raw.SQLITE_CONSTRAINT, raw.SQLITE_CONSTRAINT_UNIQUE));
        refused.Which.Message.Should().Contain("object_versions.version_id").And.NotContain("\"k\"");
    }

    [Fact]
    public async Task Insert_Fails_ForANullVersionOfAKey_WhenTheLookUpFoundNoneForAnother()
    {
        var bucket = await CreateBucketAsync();
        await InsertAsync(bucket, "k");
        var write = () => Store.WriteAsync(w =>
        {
            w.Versions.Get(bucket.Id, "other", ObjectVersionRecord.NullVersionId).Should().BeNull();
            return w.Versions.Insert(Version(bucket, "k"));
        });

        await write.Should().ThrowAsync<Microsoft.Data.Sqlite.SqliteException>();
    }

    [Fact]
    public void GetOfAnAssignedId_ProbesTheVersionIdIndex()
    {
        using var snapshot = (SqliteSession)Store.OpenSnapshot();
        using var explain = snapshot.Command("EXPLAIN QUERY PLAN " + SqliteVersions.GetAssignedNow);
        explain.Parameters.AddWithValue("?1", 1L);
        explain.Parameters.AddWithValue("?2", "k");
        explain.Parameters.AddWithValue("?3", "MTc2NTAwMDAwMDAwMDAwMDAwMDE");
        using var plan = explain.ExecuteReader();
        var steps = new List<string>();
        while (plan.Read())
        {
            steps.Add(plan.GetString(3));
        }

        steps.Should().ContainSingle().Which.Should().Contain("USING INDEX object_versions_versioned_by_id (bucket_id=? AND key=? AND version_id=?)");
    }

    /// <summary>A PUT of "k" in a work of its own, and the virtual machine instructions SQLite ran for it on the writer.</summary>
    private Task<long> PutCountingStepsAsync(BucketRecord bucket, long size) => Store.WriteAsync(w =>
    {
        var db = ((SqliteSession)w).Connection.Handle!;
        var steps = 0L;
        raw.sqlite3_progress_handler(db, 1, _ =>
        {
            steps++;
            return 0;
        }, null);
        try
        {
            Put(w, bucket, "k", size);
        }
        finally
        {
            raw.sqlite3_progress_handler(db, 0, null, null);
        }

        return steps;
    });
}
