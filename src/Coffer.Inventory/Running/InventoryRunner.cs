using System.Globalization;
using System.IO.Pipelines;
using Coffer.Common;
using Coffer.Inventory.Reports;
using Coffer.Inventory.Summary;
using Coffer.Model;
using Coffer.Model.Access;
using Coffer.Model.Accounts;
using Coffer.Model.Inventory;
using Coffer.Model.Notifications;
using Coffer.Model.Objects;

namespace Coffer.Inventory.Running;

/// <summary>
/// Runs inventory runs: one read snapshot of the source, filtered, projected into the configured columns, streamed into
/// size-bounded part files that go into the destination through <see cref="IObjectService"/> like any client PUT, then
/// the Hive symlink (S3), manifest.json, and manifest.checksum last — a reader that sees the checksum sees a whole report.
/// </summary>
public sealed class InventoryRunner(
    IObjectService objects,
    InventoryRuns runs,
    AccountDirectory accounts,
    AccessControl access,
    TimeProvider time,
    InventoryRunnerOptions options)
{
    public InventoryRunnerOptions Options => options;

    /// <summary>Claims and runs queued (or abandoned) runs until there are none; returns how many ran.</summary>
    public async Task<int> RunPendingAsync(CancellationToken cancellationToken = default)
    {
        var count = 0;
        while (await runs.ClaimNextAsync(options.Owner, options.Lease, cancellationToken) is { } claimed)
        {
            await RunAsync(claimed, cancellationToken);
            count++;
        }

        return count;
    }

    /// <summary>Runs one claimed run to its end and records the outcome; returns the run as it ended.</summary>
    public async Task<InventoryRun> RunAsync(ClaimedRun claimed, CancellationToken cancellationToken = default)
    {
        var run = claimed.Run;
        var tracker = new Tracker(run, RunProgress.Decode(claimed.Progress) ?? new RunProgress(0, DateTimeOffset.MinValue, []));
        var destination = run.Configuration.Destination.Bucket;
        try
        {
            // A previous attempt died part-way: remove what it wrote, then start again, at the same pinned instant.
            await RemoveAsync(destination, tracker.Progress, cancellationToken);
            await SaveAsync(tracker, new RunProgress(tracker.Progress.Attempt + 1, DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()), []), cancellationToken);

            var (outcome, delivered) = await ExecuteAsync(tracker, claimed, cancellationToken);
            await runs.CompleteAsync(run.JobId, options.Owner, outcome, delivered, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the lease runs out and another attempt takes over, cleaning up after this one.
            throw;
        }
        catch (Exception error)
        {
            // A failed run leaves nothing behind: no part, and never a manifest.
            var code = error is CofferException coffer ? coffer.Code : ErrorCode.InternalError;
            await RemoveAsync(destination, tracker.Progress, CancellationToken.None);
            await runs.FailAsync(run.JobId, options.Owner, code.ToString(), error.Message, CancellationToken.None);
        }

        var ended = runs.Get(run.Bucket, run.JobId);
        InventoryMetrics.Ended(ended);
        options.RunEnded?.Invoke(ended);
        return ended;
    }

    private async Task<(InventoryRunOutcome Outcome, EventDetails Delivered)> ExecuteAsync(Tracker tracker, ClaimedRun claimed,
        CancellationToken cancellationToken)
    {
        var run = tracker.Run;
        var configuration = run.Configuration;
        var source = objects.GetBucket(run.Bucket);
        var target = objects.GetBucket(configuration.Destination.Bucket);
        var sourceName = BucketName.Parse(source.Name);
        var scanStart = time.GetUtcNow();
        var layout = ReportLayout.For(configuration, sourceName, scanStart, key => Exists(target.Name, key));
        var window = JournalWindow.For(runs, claimed);
        var schema = ReportSchema.For(configuration, window.Kind);
        var format = ReportFormats.For(configuration.Destination.Format);
        var sourceOwner = accounts.FindByAppId(source.OwnerAppId);
        var owner = sourceOwner?.Uin ?? source.OwnerAppId;
        var delivery = new DeliveryPermission(access, sourceOwner, source.OwnerAppId, source.Name, target.Name);
        var context = new ReportContext(sourceName.AppId, configuration.Dialect == InventoryDialect.Cos ? sourceName.ShortName : sourceName.Value, owner);
        var filter = new ReportFilter(configuration.Filter);
        var walk = new WalkOptions
        {
            Prefix = configuration.Filter.Prefix ?? "",
            AllVersions = configuration.IncludedObjectVersions == IncludedVersions.All,
            WithTags = filter.NeedsTags || schema.Has(ColumnKind.Tag),
            WithUserMetadata = schema.Has(ColumnKind.UserMetadata) || schema.Has(ColumnKind.AllUserMetadata),
            WithHeaders = schema.Has(ColumnKind.ChecksumAlgorithm),
            At = claimed.Snapshot,
        };
        var encryption = configuration.Destination.Encryption switch
        {
            InventoryEncryption.None => null,
            InventoryEncryption.SseKms => new ReportEncryption("aws:kms", configuration.Destination.KmsKeyId),
            _ => new ReportEncryption("AES256", null),
        };

        // Refused before anything is scanned or written (data files all share the first one's folder).
        foreach (var key in new[] { layout.NewDataKey(format.Extension), layout.ManifestKey, layout.ChecksumKey, layout.SymlinkKey }.OfType<string>())
        {
            delivery.Check(key);
        }

        var files = new List<ReportFile>();
        var counters = tracker.Counters;
        var summary = window.Kind == ReportKind.Full ? new SummaryBuilder(scanStart) : null;
        var renewAt = time.GetUtcNow() + (options.Lease / 3);
        PartUpload? part = null;
        var rows = window.Kind == ReportKind.Full
            ? objects.Walk(source.Name, walk).Select(info => new ScanItem(1, info.Size, filter.Matches(info) ? new ReportRow(info) : (ReportRow?)null))
            : window.Rows(runs.Journal, source.Name, walk, filter, configuration);
        await using (var scan = SnapshotScan.Start(rows, cancellationToken))
        {
            await foreach (var batch in scan.Batches(cancellationToken))
            {
                counters.ObjectsScanned += batch.Scanned;
                counters.BytesScanned += batch.ScannedBytes;
                foreach (var row in batch.Matched)
                {
                    counters.ObjectsMatched++;
                    counters.BytesMatched += row.Object.IsDeleteMarker ? 0 : row.Object.Size;
                    summary?.Add(row.Object);
                    part ??= await StartPartAsync(tracker, format, schema, context, target.Name, layout.NewDataKey(format.Extension), encryption,
                        cancellationToken);
                    await part.Writer.WriteAsync(row, cancellationToken);
                    options.RowWritten?.Invoke(counters.ObjectsMatched);
                    if (part.Writer.UncompressedBytes >= options.MaxPartBytes)
                    {
                        await FinishPartAsync(tracker, part, files, cancellationToken);
                        part = null;
                    }
                }

                if (time.GetUtcNow() >= renewAt)
                {
                    await SaveAsync(tracker, tracker.Progress, cancellationToken);
                    renewAt = time.GetUtcNow() + (options.Lease / 3);
                }
            }
        }

        if (part is not null)
        {
            await FinishPartAsync(tracker, part, files, cancellationToken);
        }

        if (layout.SymlinkKey is { } symlink)
        {
            await PutSmallAsync(tracker, target.Name, symlink, Manifest.Symlink(BucketName.Parse(target.Name), files), "text/plain", encryption,
                cancellationToken);
        }

        var manifest = Manifest.Write(configuration.Dialect, new ManifestContent(
            sourceName, BucketName.Parse(target.Name), format.FileFormat, format.FileSchema(schema), counters.ObjectsScanned, counters.BytesScanned,
            counters.ObjectsMatched, counters.BytesMatched, scanStart, files, window.Manifest));
        await PutSmallAsync(tracker, target.Name, layout.ManifestKey, manifest, "application/json", encryption, cancellationToken);
        var checksum = await PutSmallAsync(tracker, target.Name, layout.ChecksumKey, Manifest.Checksum(manifest), "text/plain", encryption,
            cancellationToken);
        var delivered = new EventDetails
        {
            EventName = NotificationEvents.InventoryDelivered,
            Time = time.GetUtcNow(),
            Region = source.Region,
            Bucket = source.Name,
            BucketOwner = source.OwnerAppId,
            Key = checksum.Key,
            Size = checksum.Size,
            ETag = checksum.ETag,
            VersionId = checksum.HasVersionId ? checksum.VersionId : null,
            Sequencer = claimed.Mark.Sequence.ToString("X16", CultureInfo.InvariantCulture),
            Inventory = new InventoryEventDetails(run.ConfigId, run.JobId, target.Name, layout.ManifestKey, window.Kind.ToString(),
                window.Manifest.FromSequence, window.Manifest.ToSequence, window.Manifest.SnapshotSequence),
        };
        return (new InventoryRunOutcome(counters.Snapshot(), layout.ManifestKey, summary?.Build().Encode()), delivered);
    }

    private async Task<PartUpload> StartPartAsync(Tracker tracker, IReportFormat format, ReportSchema schema, ReportContext context, string bucket,
        string key, ReportEncryption? encryption, CancellationToken cancellationToken)
    {
        await SaveAsync(tracker, tracker.Progress.Planned(key), cancellationToken);
        return PartUpload.Start(objects, format, schema, context, bucket, key, encryption, cancellationToken);
    }

    private async Task FinishPartAsync(Tracker tracker, PartUpload part, List<ReportFile> files, CancellationToken cancellationToken)
    {
        var stored = await part.CompleteAsync(cancellationToken);
        files.Add(new ReportFile(stored.Key, stored.Size, stored.ETag));
        tracker.Counters.FilesWritten = files.Count;
        await SaveAsync(tracker, tracker.Progress.Finished(stored.Key, stored.VersionId), cancellationToken);
    }

    private async Task<ObjectInfo> PutSmallAsync(Tracker tracker, string bucket, string key, byte[] body, string contentType, ReportEncryption? encryption,
        CancellationToken cancellationToken)
    {
        await SaveAsync(tracker, tracker.Progress.Planned(key), cancellationToken);
        var stored = await objects.PutObjectAsync(new PutObjectRequest
        {
            Bucket = bucket,
            Key = key,
            Body = new MemoryStream(body),
            ContentLength = body.Length,
            ContentType = contentType,
            ServerSideEncryption = encryption?.Algorithm,
            KmsKeyId = encryption?.KmsKeyId,
        }, cancellationToken);
        await SaveAsync(tracker, tracker.Progress.Finished(stored.Key, stored.VersionId), cancellationToken);
        return stored;
    }

    /// <summary>Saves progress and renews the lease; fails when another runner has taken the run over.</summary>
    private async Task SaveAsync(Tracker tracker, RunProgress progress, CancellationToken cancellationToken)
    {
        tracker.Progress = progress;
        if (!await runs.SaveProgressAsync(tracker.Run.JobId, options.Owner, options.Lease, progress.Encode(), tracker.Counters.Snapshot(),
            cancellationToken))
        {
            throw new InvalidOperationException($"Inventory run {tracker.Run.JobId} is no longer held by this runner.");
        }
    }

    /// <summary>Removes what an attempt wrote: the recorded versions, and for writes it died in, what they may have made.</summary>
    private async Task RemoveAsync(string bucket, RunProgress progress, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var item in progress.Written)
            {
                if (item.VersionId is { } versionId)
                {
                    await objects.DeleteObjectAsync(bucket, item.Key, versionId, cancellationToken);
                    continue;
                }

                var versions = objects.ListObjectVersions(bucket, new ListVersionsQuery { Prefix = item.Key, MaxKeys = 1000 }).Versions;
                foreach (var version in versions.Where(v => v.Key == item.Key && !v.IsDeleteMarker && v.CreatedAt >= progress.AttemptStarted))
                {
                    await objects.DeleteObjectAsync(bucket, version.Key, version.VersionId, cancellationToken);
                }
            }
        }
        catch (CofferException error) when (error.Code == ErrorCode.NoSuchBucket)
        {
            // The destination is gone, and with it everything the attempt wrote.
        }
    }

    private bool Exists(string bucket, string key)
    {
        try
        {
            return !objects.HeadObject(bucket, key).IsDeleteMarker;
        }
        catch (CofferException error) when (error.Code == ErrorCode.NoSuchKey)
        {
            return false;
        }
    }

    /// <summary>How report objects are encrypted at rest when the configuration asks: the algorithm, and for SSE-KMS its key.</summary>
    private sealed record ReportEncryption(string Algorithm, string? KmsKeyId);

    /// <summary>A run, what it has written so far and its counters (ahead of the store only between a write and its save).</summary>
    private sealed class Tracker(InventoryRun run, RunProgress progress)
    {
        public InventoryRun Run { get; } = run;

        public RunProgress Progress { get; set; } = progress;

        public MutableCounters Counters { get; } = new();
    }

    private sealed class MutableCounters
    {
        public long ObjectsScanned { get; set; }

        public long BytesScanned { get; set; }

        public long ObjectsMatched { get; set; }

        public long BytesMatched { get; set; }

        public long FilesWritten { get; set; }

        public InventoryRunCounters Snapshot() => new(ObjectsScanned, BytesScanned, ObjectsMatched, BytesMatched, FilesWritten);
    }

    /// <summary>A part on its way into the destination: rows are encoded into a pipe that the object PUT reads.</summary>
    private sealed class PartUpload
    {
        private readonly Task<ObjectInfo> _put;

        private PartUpload(Task<ObjectInfo> put, IReportPartWriter writer)
        {
            _put = put;
            Writer = writer;
        }

        public IReportPartWriter Writer { get; }

        public static PartUpload Start(IObjectService objects, IReportFormat format, ReportSchema schema, ReportContext context, string bucket,
            string key, ReportEncryption? encryption, CancellationToken cancellationToken)
        {
            var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20));
            var put = objects.PutObjectAsync(new PutObjectRequest
            {
                Bucket = bucket,
                Key = key,
                Body = pipe.Reader.AsStream(),
                ContentType = format.ContentType,
                ServerSideEncryption = encryption?.Algorithm,
                KmsKeyId = encryption?.KmsKeyId,
            }, cancellationToken);

            // If the PUT fails, release the encoder instead of letting it wait on a pipe nobody reads; the failure
            // surfaces when the part completes.
            _ = put.ContinueWith(t => pipe.Reader.Complete(t.Exception), TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            return new PartUpload(put, format.CreatePart(pipe.Writer.AsStream(), schema, context));
        }

        public async Task<ObjectInfo> CompleteAsync(CancellationToken cancellationToken)
        {
            await Writer.CompleteAsync(cancellationToken);
            await Writer.DisposeAsync();
            return await _put;
        }
    }
}
