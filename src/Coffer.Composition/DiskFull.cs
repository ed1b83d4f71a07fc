using Microsoft.Data.Sqlite;

namespace Coffer.Composition;

/// <summary>
/// Whether a failure is the data folder's disk being full (or the user's quota spent): a blob write that got ENOSPC or
/// EDQUOT, or SQLite finding no room for its journal (SQLITE_FULL). Known here, where both engines are, so that the server
/// answers it as what it is rather than as an internal error.
/// </summary>
public static class DiskFull
{
    // errno values .NET puts in an IOException's HResult on Unix: ENOSPC and EDQUOT (Linux).
    private const int NoSpace = 28;
    private const int QuotaExceeded = 122;

    // SQLite's result code for "database or disk is full".
    private const int SqliteFull = 13;

    public static bool Is(Exception error)
    {
        for (Exception? cause = error; cause is not null; cause = cause.InnerException)
        {
            if (cause is IOException { HResult: NoSpace or QuotaExceeded } or SqliteException { SqliteErrorCode: SqliteFull })
            {
                return true;
            }
        }

        return false;
    }
}
