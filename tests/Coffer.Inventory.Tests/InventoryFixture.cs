using System.IO.Compression;
using System.Text;
using Coffer.Composition;
using Coffer.Inventory.Running;
using Coffer.Inventory.Scheduling;
using Coffer.Model;
using Coffer.Model.Access;
using Coffer.Model.Accounts;
using Coffer.Model.Buckets;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;
using Coffer.Storage;
using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Inventory.Tests;

/// <summary>The inventory engine over a real storage engine in a temp folder, with a manual clock and no server.</summary>
public sealed class InventoryFixture : IDisposable
{
    public const string Source = "source-1250000000";
    public const string Destination = "reports-1250000000";

    /// <summary>The MD5 of nothing: the ETag of an empty object.</summary>
    public const string EmptyETag = "d41d8cd98f00b204e9800998ecf8427e";

    private readonly TempDirectory _directory = new("inventory");

    public InventoryFixture(InventoryRunnerOptions? runnerOptions = null)
    {
        Time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        Engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = _directory.Path, Time = Time });
        Objects = new ObjectService(Engine, Time);
        Configurations = new InventoryConfigurations(Engine.Metadata, Time);
        Runs = new InventoryRuns(Engine.Metadata, Time);
        var accounts = new AccountDirectory([TestAccounts.Owner, TestAccounts.Other]);
        Access = new AccessControl(Engine.Metadata, Time, accounts);
        Runner = new InventoryRunner(Objects, Runs, accounts, Access, Time,
            runnerOptions ?? new InventoryRunnerOptions());
        Scheduler = new InventoryScheduler(Runs, Time, new ScheduleOptions { TimeOfDay = new TimeOnly(2, 0), WeeklyDay = DayOfWeek.Monday });
    }

    public ManualTimeProvider Time { get; }

    public StorageEngine Engine { get; }

    public ObjectService Objects { get; }

    public InventoryConfigurations Configurations { get; }

    public InventoryRuns Runs { get; }

    public AccessControl Access { get; }

    public InventoryRunner Runner { get; private set; }

    /// <summary>This fixture, its runner replaced by one with <paramref name="options"/> (same data, same clock).</summary>
    public InventoryFixture WithRunner(InventoryRunnerOptions options)
    {
        Runner = new InventoryRunner(Objects, Runs, new AccountDirectory([TestAccounts.Owner, TestAccounts.Other]), Access, Time, options);
        return this;
    }

    public InventoryScheduler Scheduler { get; }

    /// <summary>Every blob file of the data folder.</summary>
    /// <summary>The blobs stored at rest, files and inline blobs alike (<see cref="StoredBlobs"/>).</summary>
    public IReadOnlyList<(string Id, byte[] Bytes)> Blobs() => StoredBlobs.In(_directory.Path);

    public async Task CreateBucketsAsync(BucketVersioning versioning = BucketVersioning.Unversioned)
    {
        await Objects.CreateBucketAsync(Source, TestAccounts.Owner.AppId, "ap-guangzhou");
        await Objects.CreateBucketAsync(Destination, TestAccounts.Owner.AppId, "ap-guangzhou");
        if (versioning != BucketVersioning.Unversioned)
        {
            await Objects.SetBucketVersioningAsync(Source, versioning);
        }
    }

    public Task<ObjectInfo> PutAsync(string key, string body, Func<PutObjectRequest, PutObjectRequest>? customize = null, string bucket = Source)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new PutObjectRequest { Bucket = bucket, Key = key, Body = new MemoryStream(bytes), ContentLength = bytes.Length };
        return Objects.PutObjectAsync(customize is null ? request : customize(request));
    }

    /// <summary>
    /// Empty objects written straight into the metadata in one transaction, as the benchmarks seed: thousands of objects
    /// in milliseconds, where a PUT each would take seconds.
    /// </summary>
    public Task SeedEmptyObjectsAsync(IEnumerable<string> keys, string bucket = Source)
    {
        long bucketId;
        using (var reader = Engine.Metadata.OpenSnapshot())
        {
            bucketId = reader.Buckets.Get(bucket)!.Id;
        }

        var now = Time.GetUtcNow();
        return Engine.Metadata.WriteAsync(writer =>
        {
            foreach (var key in keys)
            {
                writer.Versions.Insert(new ObjectVersionRecord
                {
                    BucketId = bucketId,
                    Key = key,
                    VersionId = ObjectVersionRecord.NullVersionId,
                    IsLatest = true,
                    ETag = EmptyETag,
                    Crc64 = 0,
                    CreatedAt = now,
                    LastModified = now,
                });
            }

            return 0;
        });
    }

    public static InventoryConfiguration Configuration(
        string id,
        InventoryDialect dialect = InventoryDialect.Cos,
        IncludedVersions versions = IncludedVersions.Current,
        IReadOnlyList<string>? fields = null,
        InventoryFilter? filter = null,
        InventorySchedule? schedule = null,
        bool oneTime = false,
        string? prefix = "reports",
        InventoryEncryption encryption = InventoryEncryption.None,
        InventoryFormat format = InventoryFormat.Csv) => new()
        {
            Id = id,
            Dialect = dialect,
            IsEnabledText = oneTime ? null : "true",
            IncludedObjectVersions = versions,
            Filter = filter ?? new InventoryFilter(),
            OptionalFields = fields ?? ["Size", "ETag"],
            Schedule = oneTime ? null : schedule ?? new InventorySchedule(InventoryFrequency.Daily, null),
            Destination = new InventoryDestination
            {
                Bucket = Destination,
                BucketReference = dialect == InventoryDialect.Cos ? $"qcs::cos:ap-guangzhou::{Destination}" : $"arn:aws:s3:::{Destination}",
                Prefix = prefix,
                Format = format,
                Encryption = encryption,
            },
        };

    /// <summary>Posts a one-time job and runs it to its end here.</summary>
    public async Task<InventoryRun> RunOneTimeAsync(InventoryConfiguration configuration)
    {
        var queued = await Configurations.PostOneTimeAsync(Source, configuration);
        await Runner.RunPendingAsync();
        return Runs.Get(Source, queued.JobId);
    }

    public byte[] Read(string key, string bucket = Destination)
    {
        using var stream = Objects.GetObject(bucket, key).Open();
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    public string ReadGzip(string key)
    {
        using var gzip = new GZipStream(new MemoryStream(Read(key)), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Every key in the destination.</summary>
    public IReadOnlyList<string> DestinationKeys() =>
        Objects.ListObjects(Destination, new ListObjectsQuery()).Objects.Select(o => o.Key).ToArray();

    public void Dispose()
    {
        Engine.Dispose();
        _directory.Dispose();
    }
}
