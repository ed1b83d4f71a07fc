using Coffer.Storage.Sqlite;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

/// <summary>What only the SQLite engine does: its schema version and journal mode (the shared contract is in Conformance/).</summary>
public sealed class SqliteMetadataStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new("sqlite");
    private SqliteMetadataStore _store;

    public SqliteMetadataStoreTests()
    {
        _store = Open();
    }

    [Fact]
    public async Task Schema_IsVersioned()
    {
        _store.Dispose();
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_directory.Combine("metadata.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        Convert.ToInt64(await command.ExecuteScalarAsync()).Should().Be(3);
        command.CommandText = "PRAGMA journal_mode";
        (await command.ExecuteScalarAsync()).Should().Be("wal");
        _store = Open();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Open_RefusesTheSchemaVersionsOfDevelopmentBuilds(int version)
    {
        _store.Dispose();
        await SetUserVersionAsync(version);
        var open = Open;
        open.Should().Throw<InvalidOperationException>().WithMessage($"*schema version {version}*new data folder*");

        await SetUserVersionAsync(3);
        _store = Open();
    }

    private async Task SetUserVersionAsync(int version)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_directory.Combine("metadata.db")};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA user_version={version}";
        await command.ExecuteNonQueryAsync();
    }

    public void Dispose()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    private SqliteMetadataStore Open() => SqliteMetadataStore.Open(_directory.Combine("metadata.db"), TimeProvider.System);
}
