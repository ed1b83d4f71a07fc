using System.Buffers.Binary;
using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model.Inventory;

public sealed record InventoryConfigurationPage(IReadOnlyList<InventoryConfiguration> Configurations, string? NextContinuationToken);

/// <summary>
/// The inventory configurations of buckets (PUT / GET / DELETE / List) and one-time jobs (POST), with the rules that
/// need the store: at most 1,000 per bucket, an existing destination in the source's region, unique one-time ids.
/// </summary>
public sealed class InventoryConfigurations(IMetadataStore metadata, TimeProvider time)
{
    public const string Kind = "inventory";
    public const int PageSize = 100;

    /// <summary>Creates or replaces a periodic configuration.</summary>
    public Task PutAsync(string bucket, InventoryConfiguration configuration, CancellationToken cancellationToken = default)
    {
        InventoryRules.Validate(configuration, oneTime: false);
        var now = time.GetUtcNow();
        return metadata.WriteAsync(writer =>
        {
            var source = RequireBucket(writer, bucket);
            CheckDestination(writer, source, configuration.Destination);
            var existing = writer.Configs.Get(source.Id, Kind, configuration.Id);
            if (existing is null || configuration.Report != InventoryCodec.Decode(existing.Body).Report)
            {
                // Checked when set, not on every edit: a run it names may leave the run history later.
                InventoryRuns.CheckNamedRuns(writer, source, configuration.Report);
            }

            if (existing is null && writer.Configs.Count(source.Id, Kind) >= InventoryRules.MaxConfigurationsPerBucket)
            {
                throw new CofferException(ErrorCode.TooManyConfigurations,
                    $"A bucket can have at most {InventoryRules.MaxConfigurationsPerBucket} inventory configurations.");
            }

            // A client that does not know Coffer's extension leaves it out: the configuration keeps the one it had. A Full report is none.
            var stored = configuration.Report switch
            {
                null => configuration with { Report = existing is null ? null : InventoryCodec.Decode(existing.Body).Report },
                { Kind: ReportKind.Full } => configuration with { Report = null },
                _ => configuration,
            };
            return writer.Configs.Put(source.Id, Kind, configuration.Id, InventoryCodec.Encode(stored), now);
        }, cancellationToken);
    }

    public InventoryConfiguration Get(string bucket, string id)
    {
        InventoryRules.ValidateId(id);
        using var reader = metadata.OpenSnapshot();
        var source = RequireBucket(reader, bucket);
        var record = reader.Configs.Get(source.Id, Kind, id) ?? throw NotFound(id);
        return InventoryCodec.Decode(record.Body);
    }

    /// <summary>Deletes a configuration; false when there was none.</summary>
    public Task<bool> DeleteAsync(string bucket, string id, CancellationToken cancellationToken = default)
    {
        InventoryRules.ValidateId(id);
        return metadata.WriteAsync(writer => writer.Configs.Delete(RequireBucket(writer, bucket).Id, Kind, id), cancellationToken);
    }

    /// <summary>
    /// One page of at most 100 configurations in creation order. The token names the last configuration's place in that
    /// order, so configurations added or deleted between pages are neither skipped nor repeated.
    /// </summary>
    public InventoryConfigurationPage List(string bucket, string? continuationToken)
    {
        var after = string.IsNullOrEmpty(continuationToken) ? 0 : DecodeToken(continuationToken);
        using var reader = metadata.OpenSnapshot();
        var source = RequireBucket(reader, bucket);
        var records = reader.Configs.List(source.Id, Kind, after, PageSize + 1);
        var page = records.Take(PageSize).ToArray();
        var next = records.Count > PageSize ? EncodeToken(page[^1].Sequence) : null;
        return new InventoryConfigurationPage(page.Select(r => InventoryCodec.Decode(r.Body)).ToArray(), next);
    }

    /// <summary>
    /// Queues a one-time job. Its id may not be a periodic configuration's, nor that of a job still queued or running,
    /// nor that of a job queued earlier the same (UTC) day: reports of a day share one folder.
    /// </summary>
    public async Task<InventoryRun> PostOneTimeAsync(string bucket, InventoryConfiguration configuration, CancellationToken cancellationToken = default)
    {
        InventoryRules.Validate(configuration, oneTime: true);
        var now = time.GetUtcNow();
        var record = await metadata.WriteAsync(writer =>
        {
            var source = RequireBucket(writer, bucket);
            CheckDestination(writer, source, configuration.Destination);
            InventoryRuns.CheckNamedRuns(writer, source, configuration.Report);
            if (writer.Configs.Get(source.Id, Kind, configuration.Id) is not null)
            {
                throw Duplicate(configuration.Id, "a periodic configuration has that id");
            }

            foreach (var run in writer.Runs.List(source.Id, configuration.Id, 100))
            {
                if (run.State is InventoryRunStates.Queued or InventoryRunStates.Running)
                {
                    throw Duplicate(configuration.Id, "a job with that id has not finished");
                }

                if (run.Trigger == TriggerText(InventoryTrigger.OneTime) && run.QueuedAt.UtcDateTime.Date == now.UtcDateTime.Date)
                {
                    throw Duplicate(configuration.Id, "the id was used today");
                }
            }

            var queued = new InventoryRunRecord
            {
                JobId = NewJobId(),
                BucketId = source.Id,
                ConfigId = configuration.Id,
                Trigger = TriggerText(InventoryTrigger.OneTime),
                State = InventoryRunStates.Queued,
                Config = InventoryCodec.Encode(configuration.Report is { Kind: ReportKind.Full } ? configuration with { Report = null } : configuration),
                QueuedAt = now,
            };
            writer.Runs.Insert(queued);
            return queued;
        }, cancellationToken);
        return ToRun(bucket, record);
    }

    internal static InventoryRun ToRun(string bucket, InventoryRunRecord record) => new()
    {
        JobId = record.JobId,
        Bucket = bucket,
        ConfigId = record.ConfigId,
        Trigger = record.Trigger switch
        {
            "one-time" => InventoryTrigger.OneTime,
            "manual" => InventoryTrigger.Manual,
            _ => InventoryTrigger.Scheduled,
        },
        State = record.State switch
        {
            InventoryRunStates.Running => InventoryRunState.Running,
            InventoryRunStates.Succeeded => InventoryRunState.Succeeded,
            InventoryRunStates.Failed => InventoryRunState.Failed,
            _ => InventoryRunState.Queued,
        },
        Configuration = InventoryCodec.Decode(record.Config),
        QueuedAt = record.QueuedAt,
        StartedAt = record.StartedAt,
        FinishedAt = record.FinishedAt,
        ObjectsScanned = record.ObjectsScanned,
        BytesScanned = record.BytesScanned,
        ObjectsMatched = record.ObjectsMatched,
        BytesMatched = record.BytesMatched,
        FilesWritten = record.FilesWritten,
        ManifestKey = record.ManifestKey,
        ErrorCode = record.ErrorCode,
        ErrorMessage = record.ErrorMessage,
    };

    internal static string TriggerText(InventoryTrigger trigger) => trigger switch
    {
        InventoryTrigger.OneTime => "one-time",
        InventoryTrigger.Manual => "manual",
        _ => "scheduled",
    };

    /// <summary>Job ids: 18 random bytes, base64url (24 characters, nothing to escape in a URL).</summary>
    internal static string NewJobId() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    /// <summary>The destination must exist and be in the source bucket's region, as COS and S3 require.</summary>
    private static void CheckDestination(IMetadataView reader, BucketRecord source, InventoryDestination destination)
    {
        var target = reader.Buckets.Get(destination.Bucket)
            ?? throw new CofferException(ErrorCode.InvalidDestinationBucket, $"The destination bucket '{destination.Bucket}' does not exist.");
        if (destination.Region is { } named && named != target.Region)
        {
            throw new CofferException(ErrorCode.InvalidDestinationBucket,
                $"The destination bucket '{destination.Bucket}' is in {target.Region}, not {named}.");
        }

        if (target.Region != source.Region)
        {
            throw new CofferException(ErrorCode.InvalidArgument,
                $"The destination bucket must be in the source bucket's region ({source.Region}); '{target.Name}' is in {target.Region}.");
        }
    }

    private static BucketRecord RequireBucket(IMetadataView reader, string name) =>
        reader.Buckets.Get(name) ?? throw new CofferException(ErrorCode.NoSuchBucket, "The specified bucket does not exist.");

    private static CofferException NotFound(string id) =>
        new(ErrorCode.NoSuchInventoryConfiguration, $"The inventory configuration '{id}' does not exist.");

    private static CofferException Duplicate(string id, string why) =>
        new(ErrorCode.DuplicateInventoryId, $"The inventory id '{id}' cannot be used for a one-time job: {why}.");

    private static string EncodeToken(long sequence)
    {
        Span<byte> bytes = stackalloc byte[9];
        bytes[0] = 1; // token format
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], sequence);
        return Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
    }

    private static long DecodeToken(string token)
    {
        var bytes = new byte[9];
        var base64 = token.Replace('-', '+').Replace('_', '/');
        if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != 9 || bytes[0] != 1)
        {
            throw new CofferException(ErrorCode.InvalidArgument, "The continuation token provided is incorrect.");
        }

        return BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1));
    }
}
