using Coffer.Composition;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Tests;

public sealed class DiskFullTests
{
    public static TheoryData<Exception, bool> Failures => new()
    {
        { new IOException("No space left on device", 28), true },
        { new IOException("Disk quota exceeded", 122), true },
        { new SqliteException("database or disk is full", 13), true },
        { new InvalidOperationException("a commit failed", new SqliteException("database or disk is full", 13)), true },
        { new IOException("Resource temporarily unavailable", 11), false },
        { new SqliteException("database is locked", 5), false },
        { new InvalidOperationException("something else"), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Is_TellsAFullDiskOrQuota_FromOtherFailures_ByTheErrorAndItsCauses(Exception error, bool full) =>
        DiskFull.Is(error).Should().Be(full);
}
