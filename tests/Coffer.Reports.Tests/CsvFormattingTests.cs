using System.Globalization;
using System.IO.Compression;
using System.Text;
using Coffer.Reports.Csv;
using CsCheck;

namespace Coffer.Reports.Tests;

/// <summary>
/// The CSV writer's fast paths against plain formulations of the same rules: URL-encoding that copies unreserved runs
/// found by a vectorized search (every byte value, at every position around the vector widths), timestamps that reuse the
/// last second's and day's text, rows written across batch and chunk boundaries, and cells of a value every row shares
/// encoded once.
/// </summary>
public sealed class CsvFormattingTests
{
    private static readonly ColumnSchema Schema = new("test.rows",
    [
        new("Key", "key", ColumnType.String) { CsvText = CsvText.UrlEncoded },
        new("Name", "name", ColumnType.String),
        new("Size", "size", ColumnType.Int64),
        new("Flag", "flag", ColumnType.Boolean),
        new("Time", "time", ColumnType.Timestamp),
    ]);

    [Fact]
    public void UrlEncoding_EscapesEveryByteButTheUnreserved_AtEveryPositionOfAKey()
    {
        var destination = new byte[3 * 200];
        for (var b = 0; b < 256; b++)
        {
            foreach (var length in new[] { 1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 130 })
            {
                for (var at = 0; at < length; at++)
                {
                    // One byte among unreserved ones, and a run of it from there to the end.
                    var single = Enumerable.Repeat((byte)'a', length).ToArray();
                    single[at] = (byte)b;
                    var run = single.ToArray();
                    run.AsSpan(at).Fill((byte)b);

                    foreach (var key in new[] { single, run })
                    {
                        var written = Utf8UrlEncoding.EncodeTo(key, destination);
                        Encoding.ASCII.GetString(destination, 0, written).Should().Be(PlainUrlEncoding(key), $"byte {b:X2} at {at} of {length}");
                    }
                }
            }
        }
    }

    [Fact]
    public void UrlEncoding_AlternatesEscapedAndUnreservedRuns_AsEachByteAlone()
    {
        var random = new Random(13);
        var destination = new byte[3 * 300];
        for (var i = 0; i < 5_000; i++)
        {
            var key = new byte[random.Next(0, 300)];
            for (var j = 0; j < key.Length;)
            {
                // Runs of 1-70 bytes, each either unreserved or not, so runs end on and off every vector width.
                var runLength = Math.Min(key.Length - j, random.Next(1, 71));
                var escaped = random.Next(2) == 0;
                for (var k = 0; k < runLength; k++, j++)
                {
                    key[j] = escaped ? "/ %+\"\0\u007f,?#&"u8[random.Next(11)] : "az09-_.~"u8[random.Next(8)];
                    if (escaped && random.Next(4) == 0)
                    {
                        key[j] = (byte)random.Next(0x80, 0x100);
                    }
                }
            }

            var written = Utf8UrlEncoding.EncodeTo(key, destination);
            Encoding.ASCII.GetString(destination, 0, written).Should().Be(PlainUrlEncoding(key));
        }
    }

    [Fact]
    public void Iso8601_WritesEachInstant_AsDateTimeFormatsIt_WhateverCameBefore()
    {
        var start = new DateTime(2024, 2, 28, 23, 59, 58, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks;
        List<long> instants =
        [
            0, 0, 1, 9_999, 10_000, TimeSpan.TicksPerSecond - 1, TimeSpan.TicksPerSecond, -1, -TimeSpan.TicksPerSecond,
            -TimeSpan.TicksPerSecond - 1, -TimeSpan.TicksPerDay, -TimeSpan.TicksPerDay + 1,
            DateTime.MinValue.Ticks - DateTime.UnixEpoch.Ticks, DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks,
            0, TimeSpan.TicksPerDay * 365, TimeSpan.TicksPerDay * 365,
        ];

        // Across a leap day and a year's end, a millisecond and then half a second apart: the same second and the same
        // day repeat, then move on.
        instants.AddRange(Enumerable.Range(0, 5_000).Select(i => start + (i * TimeSpan.TicksPerMillisecond)));
        instants.AddRange(Enumerable.Range(0, 400_000).Select(i => start + (i * TimeSpan.TicksPerSecond / 2)));
        var random = new Random(13);
        instants.AddRange(Enumerable.Range(0, 20_000).Select(_ => random.NextInt64(-TimeSpan.TicksPerDay * 800, TimeSpan.TicksPerDay * 800)));

        var formatter = new Iso8601Formatter();
        var output = new byte[Iso8601Formatter.Length];
        foreach (var ticks in instants)
        {
            formatter.Write(ticks, output);
            var expected = new DateTime(DateTime.UnixEpoch.Ticks + ticks, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            Encoding.ASCII.GetString(output).Should().Be(expected, $"{ticks} ticks");
        }
    }

    [Fact]
    public void Iso8601_Refuses_InstantsOutsideTheYearsItWrites()
    {
        var formatter = new Iso8601Formatter();
        var output = new byte[Iso8601Formatter.Length];

        var before = () => formatter.Write(DateTime.MinValue.Ticks - DateTime.UnixEpoch.Ticks - 1, output);
        var after = () => formatter.Write(DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks + 1, output);

        before.Should().Throw<ArgumentOutOfRangeException>();
        after.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Csv_WritesRowsAcrossBatchAndChunkBoundaries_AsEachRowFormattedAlone()
    {
        // About 5 MiB of rows, so several 1 MiB chunks end; batches of uneven sizes, some keys long enough to make a
        // chunk grow, every class of byte a key escapes and every quote a name doubles.
        var random = new Random(13);
        var rows = Enumerable.Range(0, 30_000).Select(i => Row(random, i)).ToList();
        var expected = new StringBuilder();
        var output = new MemoryStream();
        await using (var part = CsvReportFormat.Instance.CreatePart(output, Schema))
        {
            var batch = new ColumnBatch(Schema, 1_024);
            for (var first = 0; first < rows.Count;)
            {
                var count = Math.Min(rows.Count - first, random.Next(1, 1_025));
                batch.Clear();
                foreach (var row in rows.Skip(first).Take(count))
                {
                    batch[0].Add(row.Key);
                    batch[1].Add(row.Name);
                    batch[2].Add(row.Size);
                    batch[3].Add(row.Flag);
                    batch[4].Add(row.Time);
                    expected.Append(PlainCsvRow(row));
                }

                batch.Seal();
                await part.WriteAsync(batch, CancellationToken.None);
                first += count;
            }

            part.UncompressedBytes.Should().Be(Encoding.UTF8.GetByteCount(expected.ToString()));
            await part.CompleteAsync(CancellationToken.None);
        }

        var text = Encoding.UTF8.GetString(Gunzip(output.ToArray()));
        text.Length.Should().BeGreaterThan(4 << 20);
        var lines = text.Split('\n');
        var expectedLines = expected.ToString().Split('\n');
        for (var i = 0; i < expectedLines.Length; i++)
        {
            lines[i].Should().Be(expectedLines[i], $"row {i}");
        }

        lines.Should().HaveCount(expectedLines.Length);
    }

    /// <summary>
    /// A bucket's name first (quoted), a key, and a value every row shares last (URL-encoded), each column either kept once
    /// (<see cref="ColumnVector.AddShared"/>) or copied a row: the same bytes out, batch after batch, whatever the shared
    /// values hold (quotes, commas, line ends, non-ASCII, bytes to escape, nothing) and whether they change between batches.
    /// </summary>
    [Fact]
    public async Task Csv_WritesAValueEveryRowShares_AsTheSameValueCopiedIntoEachRow()
    {
        var text = Gen.OneOf<string>(
            Gen.OneOf("", "bench-1250000000", "a,\"b\"\n\"", "\"", "目录/😀 %+é", "\r\n,"),
            Gen.String[Gen.Char["ab,\"\n\r %/+目é\u0001\u007f"], 0, 40]);
        var batches = Gen.Select(text, text, text.Array[1, 40]).Array[1, 6];
        await batches.SampleAsync(async input =>
        {
            var shared = await WriteSharedColumnsAsync(input, share: true);
            var copied = await WriteSharedColumnsAsync(input, share: false);
            shared.Should().Equal(copied);
            Encoding.UTF8.GetString(copied).Should().Be(string.Concat(input.SelectMany(batch => batch.Item3.Select(key =>
                $"{Quote(batch.Item1.Replace("\"", "\"\"", StringComparison.Ordinal))},{Quote(Uri.EscapeDataString(key))},{Quote(Uri.EscapeDataString(batch.Item2))}\n"))));
        });
    }

    [Fact]
    public async Task Csv_WritesASharedValueRewrittenInPlace_AsItsNewValue()
    {
        var schema = new ColumnSchema("test.rewritten", [new("Bucket", "bucket", ColumnType.String)]);
        var value = "aaa"u8.ToArray();
        var output = new MemoryStream();
        await using (var part = CsvReportFormat.Instance.CreatePart(output, schema))
        {
            var batch = new ColumnBatch(schema, 4);
            foreach (var letter in "ab"u8.ToArray())
            {
                // One array for every batch, as a filler may keep: the cell of the batch before must not be taken again.
                value.AsSpan().Fill(letter);
                batch.Clear();
                batch[0].AddShared(value);
                batch.Seal();
                await part.WriteAsync(batch, CancellationToken.None);
            }

            await part.CompleteAsync(CancellationToken.None);
        }

        Encoding.UTF8.GetString(Gunzip(output.ToArray())).Should().Be("\"aaa\"\n\"bbb\"\n");
    }

    private static async Task<byte[]> WriteSharedColumnsAsync((string Bucket, string Shared, string[] Keys)[] batches, bool share)
    {
        var schema = new ColumnSchema("test.shared",
        [
            new("Bucket", "bucket", ColumnType.String),
            new("Key", "key", ColumnType.String) { CsvText = CsvText.UrlEncoded },
            new("Shared", "shared", ColumnType.String) { CsvText = CsvText.UrlEncoded },
        ]);
        var output = new MemoryStream();
        await using (var part = CsvReportFormat.Instance.CreatePart(output, schema))
        {
            var batch = new ColumnBatch(schema, 64);
            foreach (var (bucket, sharedValue, keys) in batches)
            {
                batch.Clear();
                var bucketUtf8 = Encoding.UTF8.GetBytes(bucket);
                var sharedUtf8 = Encoding.UTF8.GetBytes(sharedValue);
                foreach (var key in keys)
                {
                    Add(batch[0], bucketUtf8);
                    batch[1].Add(key);
                    Add(batch[2], sharedUtf8);
                }

                batch.Seal();
                await part.WriteAsync(batch, CancellationToken.None);
            }

            await part.CompleteAsync(CancellationToken.None);
        }

        return Gunzip(output.ToArray());

        void Add(ColumnVector values, byte[] utf8)
        {
            if (share)
            {
                values.AddShared(utf8);
            }
            else
            {
                values.AddUtf8(utf8);
            }
        }
    }

    private static (string Key, string? Name, long? Size, bool? Flag, DateTimeOffset? Time) Row(Random random, int i)
    {
        const string KeyCharacters = "abcXYZ019-_.~/ %+\"',;:?#&=@!*()[]{}<>\\\t\u0001\u007fé目😀";
        var keyLength = i % 997 == 0 ? 30_000 : random.Next(0, 80);
        var key = new StringBuilder();
        while (key.Length < keyLength)
        {
            var at = random.Next(KeyCharacters.Length);
            key.Append(char.IsHighSurrogate(KeyCharacters[at]) || char.IsLowSurrogate(KeyCharacters[at]) ? "😀" : KeyCharacters[at].ToString());
        }

        var time = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMilliseconds(random.Next(3) == 0 ? i * 7 : (long)i * 86_399_999);
        return (key.ToString(), i % 5 == 0 ? null : $"n\"{i}\"\"", i % 7 == 0 ? null : random.NextInt64(long.MinValue, long.MaxValue),
            i % 3 == 0 ? null : i % 2 == 0, i % 11 == 0 ? null : time);
    }

    private static string PlainCsvRow((string Key, string? Name, long? Size, bool? Flag, DateTimeOffset? Time) row) =>
        string.Join(',',
            Quote(Uri.EscapeDataString(row.Key)),
            Quote(row.Name?.Replace("\"", "\"\"", StringComparison.Ordinal)),
            Quote(row.Size?.ToString(CultureInfo.InvariantCulture)),
            Quote(row.Flag is { } flag ? (flag ? "true" : "false") : null),
            Quote(row.Time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))) + "\n";

    private static string Quote(string? text) => "\"" + text + "\"";

    /// <summary>The encoding byte by byte: unreserved bytes as they are, every other one as <c>%XX</c>.</summary>
    private static string PlainUrlEncoding(byte[] utf8)
    {
        var text = new StringBuilder();
        foreach (var b in utf8)
        {
            text.Append(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~'
                ? ((char)b).ToString()
                : $"%{b:X2}");
        }

        return text.ToString();
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }
}
