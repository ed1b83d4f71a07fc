using Coffer.Storage;
using Coffer.Storage.Postgres;
using Coffer.Storage.Sqlite;

namespace Coffer.Composition;

/// <summary>
/// Where a node keeps its metadata: the embedded SQLite database in the data folder (the default), or a PostgreSQL
/// database that several nodes share (<c>postgres://USER[:PASSWORD]@HOST:PORT/DB</c>).
/// </summary>
public sealed record MetadataLocation
{
    private MetadataLocation(string? postgresUrl)
    {
        PostgresUrl = postgresUrl;
    }

    /// <summary>SQLite in the data folder.</summary>
    public static MetadataLocation Embedded { get; } = new((string?)null);

    public string? PostgresUrl { get; }

    /// <summary>The embedded store's database file in the data folder.</summary>
    public static string EmbeddedDatabaseFile => SqliteMetadataStore.FileName;

    /// <summary>True when several nodes may share this metadata (and the data folder's blobs).</summary>
    public bool IsShared => PostgresUrl is not null;

    /// <summary>
    /// Reads <c>--metadata</c> (or <c>"metadata"</c> in the configuration file): empty or <c>sqlite</c> is the embedded store.
    /// Fails with <see cref="ArgumentException"/> for anything else that is not a PostgreSQL URL Coffer can read.
    /// </summary>
    public static MetadataLocation Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            return Embedded;
        }

        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            // Read now, so a malformed URL is told with the other settings, before anything is created.
            _ = Storage.Postgres.PostgresUrl.Parse(value);
            return new MetadataLocation(value);
        }

        throw new ArgumentException($"'{value}' is neither 'sqlite' nor postgres://USER[:PASSWORD]@HOST:PORT/DB.");
    }

    /// <summary>
    /// Whether <paramref name="dataDirectory"/> already holds an embedded store (a database is always there to be used): a
    /// tool beside a server refuses a folder that does not, rather than making a new store in a mistyped place.
    /// </summary>
    public bool HoldsStore(string dataDirectory) => IsShared || File.Exists(Path.Combine(dataDirectory, SqliteMetadataStore.FileName));

    /// <summary>
    /// Opens (creating or migrating the schema if needed) the metadata store; fails as <see cref="CofferCore.Open"/> says.
    /// </summary>
    public IMetadataStore Open(string dataDirectory, TimeProvider time) => PostgresUrl is { } url
        ? PostgresMetadataStore.Open(url, time)
        : SqliteMetadataStore.Open(Path.Combine(dataDirectory, SqliteMetadataStore.FileName), time);
}
