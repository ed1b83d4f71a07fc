using System.Text.RegularExpressions;
using Npgsql;

namespace Coffer.Storage.Postgres;

/// <summary>Reads <c>postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?key=value&amp;...]</c> into an Npgsql connection string.</summary>
public static partial class PostgresUrl
{
    /// <summary>The connection string and a description of the database without its password.</summary>
    public static (string ConnectionString, string Description) Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql") || uri.Host.Length == 0)
        {
            throw new ArgumentException($"'{Redact(url)}' is not postgres://USER[:PASSWORD]@HOST:PORT/DB.");
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        var user = uri.UserInfo.Split(':', 2);
        if (database.Length == 0 || user[0].Length == 0)
        {
            throw new ArgumentException($"'{Redact(url)}' names no user or no database: postgres://USER[:PASSWORD]@HOST:PORT/DB.");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = database,
            Username = Uri.UnescapeDataString(user[0]),
            Password = user.Length > 1 ? Uri.UnescapeDataString(user[1]) : null,
            // A node fails fast when the database is gone (requests answer 503) and finds it again when it is back.
            Timeout = 5,
            CommandTimeout = 60,
            KeepAlive = 10,
            MaxAutoPrepare = 64,
            AutoPrepareMinUsages = 2,
            MaxPoolSize = 64,
            ApplicationName = "coffer",
        };
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            try
            {
                builder[Uri.UnescapeDataString(parts[0])] = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
            }
            catch (ArgumentException error)
            {
                throw new ArgumentException($"'{parts[0]}' in the PostgreSQL URL is not a connection setting: {error.Message}", error);
            }
        }

        return (builder.ConnectionString, $"PostgreSQL {builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}");
    }

    /// <summary>
    /// The URL without its passwords: the values of the query's settings that Npgsql reads as one first (so that an '@'
    /// in one is gone before the user part's end is looked for), then the user part's.
    /// </summary>
    private static string Redact(string url)
    {
        var redacted = QueryPassword().Replace(url, "$1***");
        var at = redacted.LastIndexOf('@');
        var colon = redacted.IndexOf(':', redacted.IndexOf("//", StringComparison.Ordinal) + 2);
        return at > 0 && colon > 0 && colon < at ? redacted[..colon] + ":***" + redacted[at..] : redacted;
    }

    // Npgsql's names for the password and the SSL key's password, in any case, with a space written as is or as %20.
    [GeneratedRegex("([?&](?:password|pwd|psw|ssl(?: |%20)?password)=)[^&]*", RegexOptions.IgnoreCase)]
    private static partial Regex QueryPassword();
}
