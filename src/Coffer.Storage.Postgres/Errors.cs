using System.Net.Sockets;
using Npgsql;

namespace Coffer.Storage.Postgres;

/// <summary>What a PostgreSQL failure means to the rest of Coffer.</summary>
internal static class Errors
{
    // PostgreSQL's idle_in_transaction_session_timeout (class 25, invalid transaction state), not among Npgsql's names.
    private const string IdleInTransactionSessionTimeout = "25P03";

    /// <summary>Whether a timeout is among the causes of <paramref name="error"/> (a statement that took too long, say).</summary>
    public static bool IsTimeout(Exception error)
    {
        for (Exception? cause = error; cause is not null; cause = cause.InnerException)
        {
            if (cause is TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A transaction that lost a race: running it again decides afresh.</summary>
    public static bool IsLostRace(PostgresException error) => error.SqlState is
        PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.UniqueViolation;

    /// <summary>
    /// A transaction the database ended because it sat idle past its limit, as the statement or the COMMIT that came next
    /// reads it: nothing of it was committed (the limit runs only while the database waits for the next message, and it
    /// ends the session before running that message), so running it again on another connection is safe.
    /// </summary>
    public static bool IsEndedIdle(PostgresException error) => error.SqlState == IdleInTransactionSessionTimeout;

    /// <summary>The database cannot be reached or is shutting down or starting: the request may be retried later.</summary>
    public static bool IsUnavailable(Exception error) => error switch
    {
        ConnectException => true,
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
            || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                or PostgresErrorCodes.TooManyConnections,
        NpgsqlException { InnerException: SocketException or IOException or TimeoutException } => true,
        NpgsqlException npgsql when npgsql is not PostgresException => npgsql.IsTransient,
        SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>A pooled connection, or <see cref="ConnectException"/> when Npgsql could not give one.</summary>
    public static NpgsqlConnection Connect(NpgsqlDataSource dataSource)
    {
        try
        {
            return dataSource.OpenConnection();
        }
        catch (NpgsqlException error) when (error is not PostgresException)
        {
            throw new ConnectException(error);
        }
    }

    /// <inheritdoc cref="Connect"/>
    public static async Task<NpgsqlConnection> ConnectAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            return await dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (NpgsqlException error) when (error is not PostgresException)
        {
            throw new ConnectException(error);
        }
    }

    public static T Translate<T>(Func<T> work, string description, Action? onUnavailable = null)
    {
        try
        {
            return work();
        }
        catch (Exception error) when (IsUnavailable(error))
        {
            onUnavailable?.Invoke();
            throw new MetadataUnavailableException($"{description} cannot be reached: {error.Message}", error);
        }
    }

    public static async Task<T> TranslateAsync<T>(Func<Task<T>> work, string description, Action? onUnavailable = null)
    {
        try
        {
            return await work();
        }
        catch (Exception error) when (IsUnavailable(error))
        {
            onUnavailable?.Invoke();
            throw new MetadataUnavailableException($"{description} cannot be reached: {error.Message}", error);
        }
    }
}

/// <summary>
/// No connection could be had, for a reason of Npgsql's rather than one the server gave: a host that does not answer, the
/// pool exhausted, a setting of ours the server cannot meet (no password, SSL), and with several hosts
/// (<c>Host=pg1,pg2,...</c>) "no suitable host", every one having failed or being marked down for a while after a failure
/// (Host Recheck Seconds), which Npgsql reports in forms that say nothing of the network. With one host, the server's
/// own refusals (a wrong password, a missing database) are <see cref="PostgresException"/>s and stay what they are. The
/// message names each host's reason, which Npgsql keeps in an inner exception.
/// </summary>
internal sealed class ConnectException(NpgsqlException cause) : Exception(Describe(cause), cause)
{
    private static string Describe(NpgsqlException cause) => cause.InnerException is AggregateException hosts
        ? $"every host failed: {string.Join("; ", hosts.InnerExceptions.Select(e => e.Message))}"
        : cause.Message;
}
