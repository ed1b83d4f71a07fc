using System.Text.Json;
using Coffer.Common;
using Coffer.Model.Inventory;
using Coffer.Testing.Reports;

namespace Coffer.Inventory.Tests;

/// <summary>
/// COS metadata fields in reports: names that are not identifiers (<c>x-cos-meta-a.b</c>) still make a valid ORC type
/// and Parquet schema, named alike in the file and the manifest; <c>x-cos-meta-*</c>, as COS's own example writes it,
/// is one column with all of an object's metadata.
/// </summary>
public sealed class MetadataColumnTests : IDisposable
{
    private readonly InventoryFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task MetadataFieldNames_AreTypeStringIdentifiers_NamedAlikeInTheOrcFileAndItsManifest()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.PutAsync("k", "hello", r => r with { UserMetadata = [new("a.b", "1"), new("color-name", "red")] });
        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("orc", oneTime: true, format: InventoryFormat.Orc,
            fields: ["Size", "x-cos-meta-a.b", "x-cos-meta-Color-Name"]));

        run.State.Should().Be(InventoryRunState.Succeeded);
        var bytes = _fixture.Read(run.ManifestKey!);
        var manifest = JsonDocument.Parse(bytes).RootElement;
        var fileSchema = manifest.GetProperty("fileSchema").GetString()!;
        fileSchema.Should().Be("struct<appid:string,bucket:string,key:string,size:bigint,x_cos_meta_a_b:string,x_cos_meta_color_name:string>");
        System.Text.Encoding.UTF8.GetString(bytes).Should().Contain("\"struct<appid:string,", "written as the clouds write it, not as \\u003C");

        var fields = OrcTypeString.ParseStruct(fileSchema);
        var file = OrcFileReader.Read(_fixture.Read(manifest.GetProperty("files")[0].GetProperty("key").GetString()!));
        file.Types[0].FieldNames.Should().Equal(fields.Select(f => f.Name), "the file's footer names the columns as the manifest does");
        file.Types.Skip(1).Select(t => OrcTypeString.HiveName(t.Kind)).Should().Equal(fields.Select(f => f.Type));
        file.Rows.Single()[4..].Should().Equal("1", "red");
    }

    [Fact]
    public async Task MetadataFieldNames_AreIdentifiers_InTheParquetSchemaAndItsManifest()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.PutAsync("k", "hello", r => r with { UserMetadata = [new("a.b", "1")] });
        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("parquet", oneTime: true, format: InventoryFormat.Parquet,
            fields: ["x-cos-meta-a.b"]));

        var manifest = JsonDocument.Parse(_fixture.Read(run.ManifestKey!)).RootElement;
        manifest.GetProperty("fileSchema").GetString().Should().EndWith("optional binary x_cos_meta_a_b (UTF8);}");
        var file = ParquetTestReader.Open(_fixture.Read(manifest.GetProperty("files")[0].GetProperty("key").GetString()!));
        file.Leaves.Select(l => l.Name).Should().Equal("appid", "bucket", "key", "x_cos_meta_a_b");
        file.Column("x_cos_meta_a_b").Should().Equal("1");
    }

    [Fact]
    public async Task Configuration_WithTwoMetadataFieldsOfOneColumnName_IsInvalidArgument()
    {
        await _fixture.CreateBucketsAsync();
        var put = () => _fixture.Configurations.PutAsync(InventoryFixture.Source,
            InventoryFixture.Configuration("clash", fields: ["x-cos-meta-a.b", "x-cos-meta-a_b"]));
        (await put.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }

    [Theory]
    [InlineData(InventoryFormat.Csv)]
    [InlineData(InventoryFormat.Orc)]
    [InlineData(InventoryFormat.Parquet)]
    public async Task AllMetadataField_ReportsEveryPair_InEveryFormat(InventoryFormat format)
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.PutAsync("a", "1", r => r with { UserMetadata = [new("team", "data ops"), new("a&b", "x=y")] });
        await _fixture.PutAsync("b", "2");
        var run = await _fixture.RunOneTimeAsync(InventoryFixture.Configuration("all", oneTime: true, format: format, fields: ["Size", "x-cos-meta-*"]));

        run.State.Should().Be(InventoryRunState.Succeeded);
        var manifest = JsonDocument.Parse(_fixture.Read(run.ManifestKey!)).RootElement;
        var key = manifest.GetProperty("files")[0].GetProperty("key").GetString()!;
        const string pairs = "team=data%20ops&a%26b=x%3Dy";
        switch (format)
        {
            case InventoryFormat.Csv:
                manifest.GetProperty("fileSchema").GetString().Should().Be("Appid, Bucket, Key, Size, x-cos-meta-*");
                Csv.Parse(_fixture.ReadGzip(key)).Select(r => r[4]).Should().Equal(pairs, "");
                break;
            case InventoryFormat.Orc:
                manifest.GetProperty("fileSchema").GetString().Should().EndWith(",size:bigint,x_cos_meta:string>");
                OrcFileReader.Read(_fixture.Read(key)).Rows.Select(r => r[4]).Should().Equal([pairs, null]);
                break;
            default:
                ParquetTestReader.Open(_fixture.Read(key)).Column("x_cos_meta").Should().Equal([pairs, null]);
                break;
        }
    }

    /// <summary>
    /// ORC type strings as Apache ORC's type parser reads them, for the unquoted names Coffer writes: a field name is
    /// <c>[A-Za-z0-9_]+</c>, so <c>x_cos_meta_a.b</c> fails here as it fails there ("Invalid struct type. No field name
    /// set.": the name stops at the dot and no ':' follows).
    /// </summary>
    private static class OrcTypeString
    {
        private static readonly string[] Primitives =
            ["boolean", "tinyint", "smallint", "int", "bigint", "float", "double", "string", "binary", "timestamp", "date"];

        public static IReadOnlyList<(string Name, string Type)> ParseStruct(string text)
        {
            var position = 0;
            Expect(text, ref position, "struct<");
            var fields = new List<(string, string)>();
            while (true)
            {
                var name = Name(text, ref position);
                Expect(text, ref position, ":");
                var type = Primitives.FirstOrDefault(p => text.AsSpan(position).StartsWith(p) && !char.IsAsciiLetter(At(text, position + p.Length)))
                    ?? throw new FormatException($"No type at {position} of '{text}'.");
                position += type.Length;
                fields.Add((name, type));
                if (At(text, position) == '>')
                {
                    position++;
                    break;
                }

                Expect(text, ref position, ",");
            }

            return position == text.Length ? fields : throw new FormatException($"Text after the struct in '{text}'.");
        }

        public static string HiveName(int kind) => kind switch
        {
            OrcFileReader.BooleanKind => "boolean",
            OrcFileReader.LongKind => "bigint",
            OrcFileReader.StringKind => "string",
            OrcFileReader.TimestampKind => "timestamp",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        private static string Name(string text, ref int position)
        {
            var start = position;
            while (char.IsAsciiLetterOrDigit(At(text, position)) || At(text, position) == '_')
            {
                position++;
            }

            return position > start ? text[start..position] : throw new FormatException($"Invalid struct type. No field name set (at {start} of '{text}').");
        }

        private static void Expect(string text, ref int position, string expected)
        {
            if (!text.AsSpan(position).StartsWith(expected))
            {
                throw new FormatException($"Expected '{expected}' at {position} of '{text}'.");
            }

            position += expected.Length;
        }

        private static char At(string text, int position) => position < text.Length ? text[position] : '\0';
    }
}
