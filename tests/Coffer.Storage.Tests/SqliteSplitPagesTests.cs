using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Coffer.Storage.Sqlite;
using Coffer.Storage.Tests.Conformance;
using Coffer.Testing;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Tests;

/// <summary>
/// The embedded engine takes split candidates from the pages of <c>object_versions</c>' b-tree, read beside SQLite: the
/// newest committed copy of each page, the log's included, and never another bucket's keys.
/// </summary>
public sealed class SqliteSplitPagesTests : StoreContract<SqliteTestEngine>
{
    private SqliteMetadataStore Sqlite => (SqliteMetadataStore)Store;

    [Fact]
    public async Task SplitCandidates_AreEstimatedFromPages_WhenTheRangeHasInteriorPages()
    {
        var bucket = await CreateBucketAsync();
        await InsertManyAsync(bucket, Enumerable.Range(0, 30_000).Select(i => $"k/{i:D6}"));

        using var snapshot = Store.OpenSnapshot();
        var sample = snapshot.Partitions.SplitCandidates(bucket.Id, "", null, 1024, exactBelow: 10_000);
        sample.Estimated.Should().BeTrue();
        sample.Rows.Should().BeInRange(25_500, 34_500);
        sample.Keys.Should().NotContain("", "split points are strictly inside the range").And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task SplitCandidates_SeeThePagesOnlyInTheLog_BeforeAnyCheckpoint()
    {
        var bucket = await CreateBucketAsync();
        await InsertManyAsync(bucket, Enumerable.Range(0, 6_000).Select(i => $"a/{i:D6}"));
        Checkpoint();
        // One transaction: far fewer frames than the automatic checkpoint waits for, so these pages stay in the log.
        await InsertManyAsync(bucket, Enumerable.Range(0, 6_000).Select(i => $"b/{i:D6}"));
        new FileInfo(Sqlite.DatabasePath + "-wal").Length.Should().BeGreaterThan(0);

        using var pages = Sqlite.Pages.Open()!;
        var fromPages = PageSplitPoints.Read(pages, RootPage(), bucket.Id, "", null, 1024);
        pages.FromLog.Should().BeGreaterThan(0);
        fromPages.Should().NotBeNull();
        fromPages!.Rows.Should().BeInRange(10_200, 13_800, "both transactions' 12,000 rows, within 15 %");
        fromPages.Keys.Should().Contain(k => k.StartsWith("b/", StringComparison.Ordinal));

        using var snapshot = Store.OpenSnapshot();
        snapshot.Partitions.SplitCandidates(bucket.Id, "", null, 1024, exactBelow: 0).Rows.Should().Be(fromPages.Rows);
    }

    [Fact]
    public async Task Dispose_KeepsTheLocksOfASnapshotStillOpen_AndThePages_UntilTheSnapshotCloses()
    {
        var bucket = await CreateBucketAsync();
        var snapshot = Store.OpenSnapshot();
        try
        {
            // A split pass opens the pages' descriptor; the snapshot's read transaction holds SQLite's lock.
            snapshot.Partitions.SplitCandidates(bucket.Id, "", null, 16, exactBelow: 0);
            LocksOnTheDatabase().Should().NotBeEmpty("a reader in a read transaction holds a POSIX read lock on metadata.db");

            Store.Dispose();
            LocksOnTheDatabase().Should().NotBeEmpty("closing the pages' descriptor now would drop the open snapshot's lock");
            using var pages = Sqlite.Pages.Open();
            pages.Should().NotBeNull("a split pass in the open snapshot still reads the pages");
        }
        finally
        {
            snapshot.Dispose();
        }

        LocksOnTheDatabase().Should().BeEmpty();
        Sqlite.Pages.Open().Should().BeNull("the last connection closed the pages after it");
    }

    [Fact]
    public void OpenSnapshot_Throws_AfterTheStoreIsDisposed()
    {
        Store.Dispose();
        Store.Invoking(s => s.OpenSnapshot()).Should().Throw<ObjectDisposedException>();
    }

    /// <summary>The POSIX locks this process holds on the database file (Linux's <c>/proc/locks</c>, by the file's inode).</summary>
    private string[] LocksOnTheDatabase()
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", Sqlite.DatabasePath]) { RedirectStandardOutput = true })!;
        var inode = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        return [.. File.ReadAllLines("/proc/locks").Where(line =>
            Regex.Match(line, @"POSIX\s+ADVISORY\s+\w+\s+(\d+)\s+\w+:\w+:(\d+)\s") is { Success: true } found
            && found.Groups[1].Value == pid && found.Groups[2].Value == inode)];
    }

    private void Checkpoint()
    {
        using var connection = new SqliteConnection($"Data Source={Sqlite.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        using var reader = command.ExecuteReader();
        reader.Read().Should().BeTrue();
        reader.GetInt64(0).Should().Be(0, "the checkpoint was not blocked");
        new FileInfo(Sqlite.DatabasePath + "-wal").Length.Should().Be(0);
    }

    private uint RootPage()
    {
        using var connection = new SqliteConnection($"Data Source={Sqlite.DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT rootpage FROM sqlite_schema WHERE name = 'object_versions'";
        return (uint)(long)command.ExecuteScalar()!;
    }
}
