using System.Text;
using Coffer.Inventory.Reports;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;
using Coffer.Reports.Orc;
using Coffer.Testing.Reports;

namespace Coffer.Reports.Tests.Orc;

/// <summary>Rows, schemas and expectations for ORC tests: expected values come from ReportValues, as the writer's do.</summary>
internal static class OrcTestData
{
    public static readonly ReportContext Context = new("1250000000", "source", "100000000001");

    public static readonly string[] AllCosFields =
        ["Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus", "Tag", "Crc64", "x-cos-meta-color"];

    public static readonly string[] AllS3Fields =
    [
        "Size", "LastModifiedDate", "ETag", "StorageClass", "IsMultipartUploaded", "ReplicationStatus", "EncryptionStatus", "ObjectLockRetainUntilDate",
        "ObjectLockMode", "ObjectLockLegalHoldStatus", "IntelligentTieringAccessTier", "BucketKeyStatus", "ChecksumAlgorithm", "ObjectAccessControlList",
        "ObjectOwner", "LifecycleExpirationDate",
    ];

    private static readonly string[] StorageClasses = ["STANDARD", "STANDARD_IA", "ARCHIVE", "INTELLIGENT_TIERING"];

    public static ReportSchema Schema(
        IncludedVersions versions = IncludedVersions.All, InventoryDialect dialect = InventoryDialect.Cos, params string[] fields) =>
        ReportSchema.For(new InventoryConfiguration
        {
            Id = "orc",
            Dialect = dialect,
            IncludedObjectVersions = versions,
            OptionalFields = fields.Length == 0 ? AllCosFields : fields,
            Destination = new InventoryDestination { Bucket = "reports-1250000000", BucketReference = "reports-1250000000", Format = InventoryFormat.Orc },
        });

    /// <summary>
    /// Object versions with every kind of value: delete markers (most columns absent), keys in several scripts, tags and
    /// metadata on some, sizes from 0 to terabytes, times with sub-millisecond ticks.
    /// </summary>
    public static IEnumerable<ObjectInfo> Rows(int count, int seed = 1)
    {
        var random = new Random(seed);
        var time = new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.FromHours(8));
        for (var i = 0; i < count; i++)
        {
            var marker = random.Next(9) == 0;
            time = time.AddTicks(random.NextInt64(0, TimeSpan.TicksPerHour));
            yield return new ObjectInfo
            {
                Bucket = "source-1250000000",
                Key = (i % 500) switch
                {
                    7 => $"目录/腾讯云/{i:D7}",
                    8 => $"emoji/😀/{i:D7}",
                    9 => $"full-width/ｚ/{i:D7}",
                    _ => $"logs/2024/03/{i:D7}.gz",
                },
                VersionId = random.Next(10) == 0 ? ObjectInfo.NullVersionId : $"MTg0NDUxNzc3MzMxNDY{i:D8}",
                IsLatest = random.Next(3) != 0,
                IsDeleteMarker = marker,
                Size = random.Next(5) switch
                {
                    0 => 0,
                    1 => random.NextInt64(1L << 40),
                    _ => random.Next(1, 100_000),
                },
                ETag = Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())) + $"{i:x16}",
                StorageClass = StorageClasses[random.Next(StorageClasses.Length)],
                IsMultipartUploaded = random.Next(4) == 0,
                LastModified = time,
                ReplicationStatus = random.Next(10) == 0 ? "COMPLETED" : null,
                Tags = random.Next(6) == 0 ? [new("team", "data"), new("n", (i % 3).ToString())] : [],
                Crc64 = random.Next(7) == 0 ? null : (ulong)random.NextInt64() * 3,
                UserMetadata = random.Next(2) == 0 ? [new("color", random.Next(2) == 0 ? "red" : "蓝")] : [],
                Encryption = random.Next(3) switch
                {
                    0 => "aws:kms",
                    1 => "AES256",
                    _ => null,
                },
                Headers = random.Next(3) == 0 ? [new("x-amz-checksum-crc32", "AAAAAA==")] : [],
            };
        }
    }

    public static async Task<byte[]> WriteAsync(ReportSchema schema, IEnumerable<ObjectInfo> rows, OrcWriterOptions? options = null)
    {
        var output = new MemoryStream();
        await using var part = new OrcReportFormat(options ?? new OrcWriterOptions()).CreatePart(output, schema.Output);
        await part.WriteRowsAsync(schema, Context, rows);

        await part.CompleteAsync(CancellationToken.None);
        return output.ToArray();
    }

    /// <summary>A row's values as ORC should hold them.</summary>
    public static object?[] Expected(ReportSchema schema, ObjectInfo row) => schema.Columns.Select(column => column.Type switch
    {
        ColumnType.String => ReportValues.Text(column, row, Context),
        ColumnType.Int64 => ReportValues.Int64(column, row),
        ColumnType.Boolean => ReportValues.Boolean(column, row),
        _ => (object?)ReportValues.Timestamp(column, row, Context),
    }).ToArray();

    public static void ShouldHoldRows(this OrcFile file, ReportSchema schema, IReadOnlyList<ObjectInfo> rows)
    {
        file.Rows.Should().HaveCount(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var expected = Expected(schema, rows[i]);
            for (var c = 0; c < expected.Length; c++)
            {
                if (!Equals(file.Rows[i][c], expected[c]))
                {
                    file.Rows[i][c].Should().Be(expected[c], $"row {i}, column {schema.Columns[c].ColumnarName}");
                }
            }
        }
    }

    /// <summary>Checks statistics against the values they describe, as orc_proto.proto defines each field.</summary>
    public static void ShouldDescribe(this ColumnStats statistics, ColumnType type, IReadOnlyList<object?> values, string because)
    {
        var present = values.Where(v => v is not null).ToArray();
        statistics.Count.Should().Be((ulong)present.Length, because);
        statistics.HasNull.Should().Be(present.Length < values.Count, because);
        switch (type)
        {
            case ColumnType.Int64:
                var numbers = present.Cast<long>().ToArray();
                statistics.HasIntStatistics.Should().BeTrue(because);
                statistics.IntMinimum.Should().Be(numbers.Length == 0 ? null : numbers.Min(), because);
                statistics.IntMaximum.Should().Be(numbers.Length == 0 ? null : numbers.Max(), because);
                statistics.IntSum.Should().Be(numbers.Sum(), because);
                break;
            case ColumnType.String:
                var texts = present.Select(v => Encoding.UTF8.GetBytes((string)v!)).ToArray();
                statistics.HasStringStatistics.Should().BeTrue(because);
                statistics.StringMinimum.Should().Be(Extreme(texts, -1), because);
                statistics.StringMaximum.Should().Be(Extreme(texts, 1), because);
                statistics.StringSum.Should().Be(texts.Sum(t => (long)t.Length), because);
                break;
            case ColumnType.Boolean:
                statistics.BucketCounts.Should().Equal([(ulong)present.Count(v => (bool)v!)], because);
                break;
            case ColumnType.Timestamp:
                var times = present.Cast<DateTimeOffset>().Select(t => t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks).Order().ToArray();
                statistics.HasTimestampStatistics.Should().BeTrue(because);
                if (times.Length == 0)
                {
                    statistics.TimestampMinimumUtc.Should().BeNull(because);
                    break;
                }

                var (minimum, minimumNanos) = Milliseconds(times[0]);
                var (maximum, maximumNanos) = Milliseconds(times[^1]);
                statistics.TimestampMinimumUtc.Should().Be(minimum, because);
                statistics.TimestampMaximumUtc.Should().Be(maximum, because);
                statistics.TimestampMinimumNanos.Should().Be(minimumNanos == 0 ? null : minimumNanos + 1, because);
                statistics.TimestampMaximumNanos.Should().Be(maximumNanos == 999_999 ? null : maximumNanos + 1, because);
                break;
        }
    }

    private static (long Milliseconds, long Nanoseconds) Milliseconds(long unixTicks)
    {
        var milliseconds = unixTicks / TimeSpan.TicksPerMillisecond;
        if (unixTicks % TimeSpan.TicksPerMillisecond < 0)
        {
            milliseconds--;
        }

        return (milliseconds, (unixTicks - (milliseconds * TimeSpan.TicksPerMillisecond)) * 100);
    }

    /// <summary>The least (<paramref name="sign"/> -1) or greatest (1) value in UTF-8 byte order, compared on the bytes.</summary>
    private static string? Extreme(byte[][] values, int sign)
    {
        byte[]? extreme = null;
        foreach (var value in values)
        {
            if (extreme is null || Math.Sign(value.AsSpan().SequenceCompareTo(extreme)) == sign)
            {
                extreme = value;
            }
        }

        return extreme is null ? null : Encoding.UTF8.GetString(extreme);
    }
}
