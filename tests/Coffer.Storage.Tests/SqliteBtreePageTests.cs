using Coffer.Storage.Sqlite;
using Coffer.Testing;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Tests;

/// <summary>
/// The b-tree page reader on real SQLite files with 512-byte pages (interior levels at a few thousand rows): varints,
/// records and interior cells decode as SQLite wrote them, the log's committed frames are found, and a page that is
/// garbage or out of order makes the split pass give up.
/// </summary>
public sealed class SqliteBtreePageTests : IDisposable
{
    private const long Bucket = 7;
    private readonly TempDirectory _directory = new("btree");

    [Theory]
    [InlineData(new byte[] { 0x05 }, 5L)]
    [InlineData(new byte[] { 0x81, 0x00 }, 128L)]
    [InlineData(new byte[] { 0xFF, 0x7F }, 16_383L)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, -1L)]
    public void Varint_Decodes_AsSqliteWritesThem(byte[] bytes, long expected)
    {
        var at = 0;
        Varint.TryRead(bytes, ref at, out var value).Should().BeTrue();
        value.Should().Be(expected);
        at.Should().Be(bytes.Length);
        var cut = 0;
        Varint.TryRead(bytes.AsSpan(0, bytes.Length - 1), ref cut, out _).Should().BeFalse("a varint cut short does not decode");
    }

    [Fact]
    public void Record_DecodesBucketAndKey_AndNothingElse()
    {
        // Header of 4 bytes (size, int8 serial type 1, text of 3 bytes = 19, int8), body 7, "abc", 9.
        IndexPage.Record([4, 1, 19, 1, 7, (byte)'a', (byte)'b', (byte)'c', 9])
            .Should().BeEquivalentTo(new KeyPosition(7, "abc"u8.ToArray()));
        IndexPage.Record([3, 1, 18, 7, (byte)'a']).Should().BeNull("a blob key is not a text key");
        IndexPage.Record([3, 1, 19, 7, (byte)'a']).Should().BeNull("the key runs past the record");
        IndexPage.Record([9, 1]).Should().BeNull("the header runs past the record");
    }

    [Fact]
    public void Parse_DecodesTheInteriorCells_OfARealTable()
    {
        var path = CreateTable(4_000);
        using var pages = new DatabasePages(path);
        using var view = pages.Open()!;
        view.PageSize.Should().Be(512);
        var buffer = new byte[512];
        view.Read(RootPage(path), buffer).Should().BeTrue();
        var root = IndexPage.Parse(buffer, RootPage(path), view.Usable)!;

        root.IsLeaf.Should().BeFalse();
        root.Children.Should().HaveCount(root.Positions.Length + 1).And.OnlyHaveUniqueItems();
        // The root divides all three buckets: (bucket, key) in order, each a row of the table.
        var keys = root.Positions.Select(p => p!.Value).ToArray();
        keys.Select(p => p.Bucket).Should().BeInAscendingOrder().And.Contain(Bucket).And.OnlyContain(b => b >= 6 && b <= 8);
        keys.Zip(keys.Skip(1), (a, b) => a.CompareTo(b)).Should().OnlyContain(c => c < 0);
        keys.Select(p => System.Text.Encoding.UTF8.GetString(p.Key)).Should().OnlyContain(k => k.StartsWith("key/", StringComparison.Ordinal) && k.Length == 10);

        // Down the first children to a leaf: its cells are rows of the table, in order.
        var page = root.Children[0];
        IndexPage parsed;
        do
        {
            view.Read(page, buffer).Should().BeTrue();
            parsed = IndexPage.Parse(buffer, page, view.Usable)!;
            page = parsed.IsLeaf ? 0 : parsed.Children[0];
        }
        while (!parsed.IsLeaf);

        parsed.Positions.Select(p => System.Text.Encoding.UTF8.GetString(p!.Value.Key)).Should().StartWith("key/000000");
    }

    [Fact]
    public void Read_GivesUp_WhenAnInteriorPageIsGarbage()
    {
        var path = CreateTable(4_000);
        var root = RootPage(path);
        using (var pages = new DatabasePages(path))
        {
            PageSplitPoints.Read(pages.Open()!, root, Bucket, "", null, 1024).Should().NotBeNull("the intact file gives dividers");
        }

        var buffer = new byte[512];
        using (var pages = new DatabasePages(path))
        {
            using var view = pages.Open()!;
            view.Read(root, buffer);
        }

        var child = IndexPage.Parse(buffer, root, 512)!.Children[1];
        var garbage = new byte[512];
        new Random(13).NextBytes(garbage);
        garbage[0] = IndexPage.InteriorType;
        WritePage(path, child, garbage);

        using var torn = new DatabasePages(path);
        PageSplitPoints.Read(torn.Open()!, root, Bucket, "", null, 1024).Should().BeNull();
    }

    [Fact]
    public void Read_GivesUp_WhenTheRootsDividersAreOutOfOrder()
    {
        var path = CreateTable(4_000);
        var root = RootPage(path);
        var buffer = new byte[512];
        using (var pages = new DatabasePages(path))
        {
            pages.Open()!.Read(root, buffer);
        }

        // Swap the first two cell pointers: the page still parses, but its first two dividers are out of order.
        (buffer[12], buffer[13], buffer[14], buffer[15]) = (buffer[14], buffer[15], buffer[12], buffer[13]);
        WritePage(path, root, buffer);

        using var swapped = new DatabasePages(path);
        PageSplitPoints.Read(swapped.Open()!, root, Bucket, "", null, 1024).Should().BeNull();
    }

    [Fact]
    public void CommittedFrames_StopAtTheLastValidCommit()
    {
        var path = _directory.Combine("wal.db");
        using var connection = Open(path, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;");
        Execute(connection, "INSERT INTO object_versions VALUES (7, 'a', 1, 1)");
        var first = File.ReadAllBytes(path + "-wal");
        Execute(connection, "INSERT INTO object_versions VALUES (7, 'b', 1, 1)");
        var both = File.ReadAllBytes(path + "-wal");

        var afterFirst = DatabasePages.CommittedFrames(first, 512);
        afterFirst.Should().NotBeEmpty();
        var afterBoth = DatabasePages.CommittedFrames(both, 512);
        afterBoth.Keys.Should().BeEquivalentTo(afterFirst.Keys);
        afterBoth.Values.Max().Should().BeGreaterThan(afterFirst.Values.Max(), "the second commit's copy of a page wins");

        // The second commit's last frame cut short, or one of its bytes changed: only the first commit stands.
        DatabasePages.CommittedFrames(both.AsMemory(0, both.Length - 1), 512).Should().BeEquivalentTo(afterFirst);
        var broken = both.ToArray();
        broken[^1] ^= 0x55;
        DatabasePages.CommittedFrames(broken, 512).Should().BeEquivalentTo(afterFirst);
    }

    [Fact]
    public void CommittedFrames_ReadALongLogAFewFramesAtATime_AndKeepEveryPagesLatestFrame()
    {
        var path = _directory.Combine("long-wal.db");
        using var connection = Open(path, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;");
        for (var i = 0; i < 100; i++)
        {
            Execute(connection, "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 50) " +
                $"INSERT INTO object_versions SELECT 7, 'key/{i:D3}/' || v, 1, 1 FROM n");
        }

        var wal = File.ReadAllBytes(path + "-wal");
        wal.Length.Should().BeGreaterThan(256 * 1024, "the log is longer than several reads");
        const int FrameBytes = 24 + 512;
        // Every frame is committed (each insert commits), so every page's latest frame is the one to find.
        var latest = new Dictionary<uint, long>();
        for (long at = 32; at + FrameBytes <= wal.Length; at += FrameBytes)
        {
            latest[System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(wal.AsSpan((int)at))] = at + 24;
        }

        var largestRead = 0;
        var frames = DatabasePages.CommittedFrames((offset, into) =>
        {
            largestRead = Math.Max(largestRead, into.Length);
            var n = (int)Math.Clamp(wal.Length - offset, 0, into.Length);
            wal.AsSpan((int)offset, n).CopyTo(into);
            return n;
        }, 512);

        frames.Should().BeEquivalentTo(latest);
        largestRead.Should().BeLessThanOrEqualTo(64 * 1024, "the log is read a few frames at a time, never whole");
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>A database of 512-byte pages with a table shaped as object_versions' key, <paramref name="rows"/> rows of bucket 7 between rows of buckets 6 and 8.</summary>
    private string CreateTable(int rows)
    {
        var path = _directory.Combine($"t-{rows}.db");
        using var connection = Open(path, "");
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO object_versions VALUES ($bucket, $key, 1, 1)";
        var bucket = insert.Parameters.Add("$bucket", SqliteType.Integer);
        var key = insert.Parameters.Add("$key", SqliteType.Text);
        foreach (var b in new[] { 6L, Bucket, 8L })
        {
            for (var i = 0; i < (b == Bucket ? rows : 500); i++)
            {
                (bucket.Value, key.Value) = (b, $"key/{i:D6}");
                insert.ExecuteNonQuery();
            }
        }

        transaction.Commit();
        return path;
    }

    private static SqliteConnection Open(string path, string pragmas)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA page_size=512; " + pragmas +
            "CREATE TABLE object_versions (bucket_id INTEGER NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, born INTEGER NOT NULL, " +
            "PRIMARY KEY (bucket_id, key, seq DESC, born DESC)) WITHOUT ROWID;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static uint RootPage(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT rootpage FROM sqlite_schema WHERE name = 'object_versions'";
        return (uint)(long)command.ExecuteScalar()!;
    }

    private static void WritePage(string path, uint page, byte[] bytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.Position = (page - 1) * 512L;
        file.Write(bytes);
    }
}
