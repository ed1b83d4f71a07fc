using Coffer.Storage.Sqlite;
using Coffer.Testing;
using Microsoft.Data.Sqlite;

namespace Coffer.Storage.Tests;

/// <summary>
/// <see cref="DirectStatement"/>: a statement prepared once and run again and again on one connection, bound through
/// e_sqlite3 itself. Each run must start from the first row with only its own bindings, whatever the run before it
/// did, and text must be stored as Microsoft.Data.Sqlite stores it, since the other statements on the same table use it.
/// </summary>
public sealed class SqliteDirectStatementTests : IDisposable
{
    private const string Lookup = "SELECT value FROM pairs WHERE name = ?1";

    private readonly TempDirectory _directory = new("direct-statement");
    private readonly PreparedConnection _connection;

    public SqliteDirectStatementTests()
    {
        _connection = new PreparedConnection($"Data Source={_directory.Combine("test.db")};Pooling=false");
        using var create = _connection.Connection.CreateCommand();
        create.CommandText = "CREATE TABLE pairs (name TEXT NOT NULL PRIMARY KEY, value BLOB)";
        create.ExecuteNonQuery();
        foreach (var (name, value) in new[] { ("a", "1"), ("b", "2") })
        {
            _connection.Statement("INSERT INTO pairs (name, value) VALUES (?1, ?2)").Bind(1, name).Bind(2, [(byte)value[0]]).Execute();
        }
    }

    [Fact]
    public void ReadFirst_FindsEachRow_WhenTheRunBeforeItFoundOne()
    {
        // Without a reset after a found row the second run would go on stepping the first one's query.
        ValueOf("a").Should().Be("1");
        ValueOf("b").Should().Be("2");
        ValueOf("a").Should().Be("1");
    }

    [Fact]
    public void ReadFirst_RunsAgain_AfterTheReadOfARowThrew()
    {
        var statement = _connection.Statement(Lookup).Bind(1, "a");
        statement.Invoking(s => s.ReadFirst<int, string>(0, static (_, _) => throw new FormatException("bad row")))
            .Should().Throw<FormatException>();

        ValueOf("b").Should().Be("2");
    }

    [Fact]
    public void ReadFirst_SeesNoBindingOfTheRunBefore_WhenAParameterIsLeftUnbound()
    {
        ValueOf("a").Should().Be("1");

        // An unbound parameter is NULL, which matches no name; a binding kept from the run before would find "a".
        _connection.Statement(Lookup).ReadFirst(0, static (_, _) => "found").Should().BeNull();
    }

    [Fact]
    public void Execute_Throws_WhenTheStatementReturnsARow()
    {
        var statement = _connection.Statement(Lookup).Bind(1, "a");

        statement.Invoking(s => s.Execute()).Should().Throw<InvalidOperationException>().WithMessage($"*{Lookup}*");
        ValueOf("a").Should().Be("1");
    }

    [Fact]
    public void Execute_ThrowsTheConstraintError_AndTheStatementRunsAgainAfterIt()
    {
        var insert = _connection.Statement("INSERT INTO pairs (name, value) VALUES (?1, ?2)");

        insert.Invoking(s => s.Bind(1, "a").Bind(2, [9]).Execute()).Should().Throw<SqliteException>()
            .Which.SqliteErrorCode.Should().Be(19, "SQLITE_CONSTRAINT: the name is taken");
        insert.Bind(1, "c").Bind(2, [3]).Execute();
        ValueOf("c").Should().Be("\u0003");
    }

    [Theory]
    [InlineData("x\uD800y")]
    [InlineData("\uDC00")]
    [InlineData("end\uD83D")]
    [InlineData("")]
    [InlineData("nul\0inside")]
    [InlineData("ünïcödé/日本語/😀")]
    public void BindText_StoresTextAsMicrosoftDataSqliteDoes(string name)
    {
        _connection.Statement("INSERT INTO pairs (name, value) VALUES (?1, ?2)").Bind(1, name).Bind(2, []).Execute();

        using var read = _connection.Connection.CreateCommand();
        read.CommandText = "SELECT count(*) FROM pairs WHERE name = $name AND value = x''";
        read.Parameters.AddWithValue("$name", name);
        Convert.ToInt64(read.ExecuteScalar()).Should().Be(1, "the same text bound by Microsoft.Data.Sqlite finds the row, with an empty blob, not NULL");
        _connection.Statement(Lookup).Bind(1, name).ReadFirst(0, static (_, _) => "found").Should().Be("found");
    }

    public void Dispose()
    {
        _connection.Dispose();
        _directory.Dispose();
    }

    private string? ValueOf(string name) =>
        _connection.Statement(Lookup).Bind(1, name).ReadFirst(0, static (row, _) => System.Text.Encoding.Latin1.GetString(SqliteNative.Blob(row, 0)));
}
