using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// A connection that keeps its statements prepared: a command asked for again with the same SQL is the same command,
/// its statement reset rather than parsed and planned again (parsing was most of what SQLite spent on a point read).
/// The aggregates still write <c>using var command = Command(sql)</c>; disposing a cached command only clears its
/// parameters and hands it back. A command already in use (a nested query with the same SQL) gets a fresh one.
/// </summary>
internal sealed class PreparedConnection : IDisposable
{
    private readonly Dictionary<string, ReusableCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DirectStatement> _statements = new(StringComparer.Ordinal);

    public PreparedConnection(string connectionString)
    {
        Connection = new SqliteConnection(connectionString);
        Connection.Open();
    }

    public SqliteConnection Connection { get; }

    public SqliteCommand Command(string sql, SqliteTransaction? transaction)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = new ReusableCommand { Connection = Connection, CommandText = sql };
            _commands.Add(sql, command);
        }

        if (command.InUse)
        {
            return new SqliteCommand(sql, Connection, transaction);
        }

        command.InUse = true;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>The connection's <see cref="DirectStatement"/> for <paramref name="sql"/>, prepared on first use.</summary>
    public DirectStatement Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            statement = new DirectStatement(Connection, sql);
            _statements.Add(sql, statement);
        }

        return statement;
    }

    /// <summary>Runs a statement without parameters (a transaction's or a savepoint's begin and end) in whatever transaction is open.</summary>
    public void Execute(string sql) => Statement(sql).Execute();

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Release();
        }

        _commands.Clear();
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }

        _statements.Clear();
        Connection.Dispose();
    }

    /// <summary>A command whose Dispose hands it back to its connection's cache; <see cref="Release"/> disposes it.</summary>
    private sealed class ReusableCommand : SqliteCommand
    {
        private bool _released;

        public bool InUse { get; set; }

        public void Release()
        {
            _released = true;
            Dispose();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_released)
            {
                Parameters.Clear();
                Transaction = null;
                InUse = false;
                return;
            }

            base.Dispose(disposing);
        }
    }
}
