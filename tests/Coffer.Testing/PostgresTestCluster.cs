using System.Globalization;
using Npgsql;

namespace Coffer.Testing;

/// <summary>
/// The PostgreSQL server tests run against: the one the test command started (<c>COFFER_TEST_POSTGRES</c>, an admin URL),
/// or else a throw-away cluster this process starts with <c>scripts/postgres.sh</c>. Each caller gets a fresh database of
/// its own. A cluster started here is stopped and its folder removed by the script's watcher once this process has
/// ended: not by an exit handler, which <c>dotnet test</c> cuts short by killing the test host 100 ms after its last test.
/// </summary>
public static class PostgresTestCluster
{
    private static readonly Lazy<string> Admin = new(StartOrFind, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>An admin URL (<c>postgres://postgres@127.0.0.1:PORT/postgres</c>).</summary>
    public static string AdminUrl => Admin.Value;

    /// <summary>Creates an empty database (on the shared test server, or on <paramref name="adminUrl"/>'s) and returns its URL.</summary>
    public static string CreateDatabase(string? adminUrl = null)
    {
        adminUrl ??= AdminUrl;
        var name = $"t_{Guid.NewGuid():N}";
        using (var connection = new NpgsqlConnection(ConnectionString(adminUrl)))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0", connection);
            command.ExecuteNonQuery();
        }

        return adminUrl[..adminUrl.LastIndexOf('/')] + "/" + name;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabase"/>, closing whatever is still connected to it.</summary>
    public static void DropDatabase(string url)
    {
        var name = url[(url.LastIndexOf('/') + 1)..];
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(ConnectionString(AdminUrl));
        connection.Open();
        using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        command.ExecuteNonQuery();
    }

    /// <summary>Runs SQL on a database as the admin (to look at what a test left, or to break something on purpose).</summary>
    public static object? Scalar(string url, string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString(url));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    public static string ConnectionString(string url)
    {
        var uri = new Uri(url);
        return new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port,
            Username = uri.UserInfo.Split(':')[0],
            Database = uri.AbsolutePath.Trim('/'),
            Pooling = false,
        }.ConnectionString;
    }

    /// <summary>
    /// A cluster of a test's own (one it may stop and start again), in <paramref name="directory"/>; returns its admin URL.
    /// It is stopped and <paramref name="directory"/> removed once process <paramref name="owner"/> (this one unless told) has ended.
    /// </summary>
    public static string StartPrivate(string directory, int? owner = null) =>
        Run(Script, "start", directory, "--owner", (owner ?? Environment.ProcessId).ToString(CultureInfo.InvariantCulture)).Trim();

    public static void Stop(string directory) => Run(Script, "stop", directory);

    public static void Resume(string directory) => Run(Script, "resume", directory);

    private static string Script => Path.Combine(RepositoryRoot(), "scripts", "postgres.sh");

    private static string StartOrFind()
    {
        if (Environment.GetEnvironmentVariable("COFFER_TEST_POSTGRES") is { Length: > 0 } url)
        {
            return url;
        }

        return StartPrivate(Path.Combine(Path.GetTempPath(), $"coffer-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"));
    }

    private static string Run(string script, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash", [script, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"{script} {string.Join(' ', arguments)} failed ({process.ExitCode}): {errors}");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Coffer.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Coffer.slnx) was not found above the test binaries.");
    }
}
