using System.Collections.Concurrent;
using System.Globalization;
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
/// Runs inventory runs. The runner that claims a run coordinates it: it cuts the bucket, at the run's pinned instant,
/// into key-range partitions even in rows (planned once; a runner taking the run over finds the same plan), scans them
/// with <see cref="InventoryRunnerOptions.Workers"/> workers while runners on other nodes take the rest
/// (<see cref="RunPendingAsync"/>), then writes the Hive symlink (S3), manifest.json listing every partition's parts in key
/// order, and manifest.checksum last — a reader that sees the checksum sees a whole report. Incremental and diff reports
/// read the change journal instead of the bucket: their coordinator writes them alone (<see cref="JournalReport"/>).
/// Parts go into the destination through <see cref="IObjectService"/> like any client PUT; a succeeded run queues the
/// inventory-delivered event with its outcome.
/// </summary>
public sealed class InventoryRunner(
    IObjectService objects,
    InventoryRuns runs,
    AccountDirectory accounts,
    AccessControl access,
    TimeProvider time,
    InventoryRunnerOptions options)
{
    private readonly PartitionWorker _worker = new(objects, runs, time, options);
    private readonly JournalReport _journal = new(objects, runs, time, options);

    public InventoryRunnerOptions Options => options;

    /// <summary>
    /// Claims and runs queued (or abandoned) runs until there are none, then helps with the partitions of runs that other
    /// runners coordinate; returns how many runs it ran.
    /// </summary>
    public async Task<int> RunPendingAsync(CancellationToken cancellationToken = default)
    {
        var count = 0;
        while (await runs.ClaimNextAsync(options.Owner, options.Lease, cancellationToken) is { } claimed)
        {
            await RunAsync(claimed, cancellationToken);
            count++;
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Workers)).Select(_ => Task.Run(() => HelpAsync(cancellationToken), CancellationToken.None)));
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
            // A previous coordinator died part-way: remove what it wrote itself (manifest files; a journal report's parts,
            // whose window is read again from its start); its partitions' parts stay.
            await RemoveWrittenAsync(destination, tracker.Progress, cancellationToken);
            await SaveAsync(tracker, new RunProgress(tracker.Progress.Attempt + 1, DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()), []),
                cancellationToken);

            var (outcome, delivered) = await ExecuteAsync(tracker, claimed, cancellationToken);
            await runs.CompleteAsync(run.JobId, options.Owner, outcome, delivered, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the leases run out and another runner takes over from the partitions' cursors.
            throw;
        }
        catch (Exception error)
        {
            // A failed run leaves nothing behind: no part of any partition, and never a manifest. Only the run's holder cleans up.
            var code = error is CofferException coffer ? coffer.Code : ErrorCode.InternalError;
            if (await runs.SaveProgressAsync(run.JobId, options.Owner, options.Lease, tracker.Progress.Encode(), tracker.Counters, CancellationToken.None))
            {
                await RemoveWrittenAsync(destination, tracker.Progress, CancellationToken.None);
                foreach (var partition in runs.ListPartitions(run.JobId).Where(p => p.Progress is not null))
                {
                    await ReportCleanup.RemovePartitionAsync(objects, destination, PartitionProgress.Decode(partition.Progress), CancellationToken.None);
                }
            }

            await runs.FailAsync(run.JobId, options.Owner, code.ToString(), error.Message, CancellationToken.None);
        }

        var ended = runs.Get(run.Bucket, run.JobId);
        if (options.RecordsMetrics)
        {
            InventoryMetrics.Ended(ended);
        }
        options.RunEnded?.Invoke(ended);
        return ended;
    }

    private async Task<(InventoryRunOutcome Outcome, EventDetails Delivered)> ExecuteAsync(Tracker tracker, ClaimedRun claimed,
        CancellationToken cancellationToken)
    {
        var run = tracker.Run;
        // Partitions planned by an earlier attempt mean that attempt found no run to start from: the report stays full.
        var window = JournalWindow.For(runs, claimed, partitioned: runs.ListPartitions(run.JobId).Count > 0);
        var plan = RunPlan.Create(objects, accounts, access, run, claimed.Snapshot, options.Lifecycle, window.Kind);
        var planned = new PartitionProgress { ScanStart = time.GetUtcNow() };

        // Refused before anything is scanned or written (data files all share the first one's folder).
        var check = plan.Layout(planned.ScanStart, key => Exists(plan.Target, key));
        foreach (var key in new[] { plan.NewDataKey(), check.ManifestKey, check.ChecksumKey, check.SymlinkKey }.OfType<string>())
        {
            plan.Delivery.Check(key);
        }

        var (scanStart, files, summary) = window.Kind == ReportKind.Full
            ? await FullAsync(tracker, plan, claimed.Snapshot, planned, cancellationToken)
            : await JournalAsync(tracker, plan, window, planned.ScanStart, cancellationToken);

        var counters = tracker.Counters;
        var layout = plan.Layout(scanStart, key => Exists(plan.Target, key));
        if (layout.SymlinkKey is { } symlink)
        {
            await PutSmallAsync(tracker, plan, symlink, Manifest.Symlink(BucketName.Parse(plan.Target), files), "text/plain", cancellationToken);
        }

        var manifest = Manifest.Write(plan.Configuration.Dialect, new ManifestContent(
            plan.SourceName, BucketName.Parse(plan.Target), plan.Format.FileFormat, plan.Format.FileSchema(plan.Schema.Output), counters.ObjectsScanned,
            counters.BytesScanned, counters.ObjectsMatched, counters.BytesMatched, scanStart, files, window.Manifest));
        await PutSmallAsync(tracker, plan, layout.ManifestKey, manifest, "application/json", cancellationToken);
        var checksum = await PutSmallAsync(tracker, plan, layout.ChecksumKey, Manifest.Checksum(manifest), "text/plain", cancellationToken);
        var source = objects.GetBucket(run.Bucket);
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
            Inventory = new InventoryEventDetails(run.ConfigId, run.JobId, plan.Target, layout.ManifestKey, window.Kind.ToString(),
                window.Manifest.FromSequence, window.Manifest.ToSequence, window.Manifest.SnapshotSequence),
        };
        return (new InventoryRunOutcome(counters, layout.ManifestKey, summary), delivered);
    }

    /// <summary>A full report: the run's partitions, scanned by this runner's workers and any other runner's; the summary adds theirs up.</summary>
    private async Task<(DateTimeOffset ScanStart, IReadOnlyList<ReportFile> Files, byte[]? Summary)> FullAsync(Tracker tracker, RunPlan plan,
        string snapshot, PartitionProgress planned, CancellationToken cancellationToken)
    {
        var (from, to) = plan.Range;
        var partitions = await runs.PlanPartitionsAsync(plan.Run, snapshot, from, to, options.PartitionsFor, planned.Encode(), cancellationToken);
        if (partitions.Split is { } split && options.RecordsMetrics)
        {
            InventoryMetrics.Split(split);
        }

        await WorkAsync(tracker, plan, partitions.Partitions, cancellationToken);

        var ended = runs.ListPartitions(plan.Run.JobId).Select(p => PartitionProgress.Decode(p.Progress)).ToArray();
        var scanStart = ended[0].ScanStart;
        var files = ended.SelectMany(p => p.Parts).Select(p => new ReportFile(p.Key, p.Size, p.Md5)).ToArray();
        var summary = new SummaryBuilder(scanStart);
        foreach (var partition in ended.Where(p => p.Summary is not null))
        {
            summary.Add(ReportSummary.Decode(partition.Summary)!);
        }

        tracker.Count(ended);
        return (scanStart, files, summary.Build().Encode());
    }

    /// <summary>An incremental or diff report: the journal window's rows, written by this coordinator; such reports have no summary.</summary>
    private async Task<(DateTimeOffset ScanStart, IReadOnlyList<ReportFile> Files, byte[]? Summary)> JournalAsync(Tracker tracker, RunPlan plan,
        JournalWindow window, DateTimeOffset scanStart, CancellationToken cancellationToken)
    {
        var (files, counters) = await _journal.WriteAsync(plan, window,
            key => SaveAsync(tracker, tracker.Progress.Planned(key), cancellationToken),
            stored => SaveAsync(tracker, tracker.Progress.Finished(stored.Key, stored.VersionId), cancellationToken),
            moved =>
            {
                tracker.Counters = moved;
                return SaveAsync(tracker, tracker.Progress, cancellationToken);
            },
            cancellationToken);
        tracker.Counters = counters;
        return (scanStart, files, null);
    }

    /// <summary>
    /// Scans the run's partitions with this runner's workers, then waits for those other runners hold (taking over any
    /// whose runner died), renewing the run's lease and its counters as partitions move. Throws when a partition failed.
    /// </summary>
    private async Task WorkAsync(Tracker tracker, RunPlan plan, IReadOnlyList<RunPartition> partitions, CancellationToken cancellationToken)
    {
        var latest = new ConcurrentDictionary<int, PartitionProgress>(partitions.Select(p => KeyValuePair.Create(p.Index, PartitionProgress.Decode(p.Progress))));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = new Heartbeat(async () =>
        {
            tracker.Count(latest.Values);
            await SaveAsync(tracker, tracker.Progress, CancellationToken.None);
        }, stop);
        var rows = new RowCounter();
        void Saved(RunPartition partition, PartitionProgress progress)
        {
            latest[partition.Index] = progress;
            heartbeat.Request();
        }

        async Task WorkerAsync()
        {
            while (await runs.ClaimPartitionAsync(plan.Run.JobId, options.Owner, options.Lease, stop.Token) is { } claim)
            {
                await _worker.RunAsync(claim, plan, rows, Saved, stop.Token);
            }
        }

        var renewal = RenewAsync(heartbeat, stop.Token);
        try
        {
            var workers = Enumerable.Range(0, Math.Max(1, options.Workers)).Select(_ => Task.Run(WorkerAsync, CancellationToken.None)).ToList();
            await AllOrFirstFailureAsync(workers, stop);
            while (true)
            {
                heartbeat.ThrowIfFailed();
                var current = runs.ListPartitions(plan.Run.JobId);
                foreach (var partition in current.Where(p => p.Progress is not null))
                {
                    latest[partition.Index] = PartitionProgress.Decode(partition.Progress);
                }

                if (current.FirstOrDefault(p => p.IsFailed) is { } failed)
                {
                    var progress = PartitionProgress.Decode(failed.Progress);
                    throw new CofferException(Enum.TryParse<ErrorCode>(progress.ErrorCode, out var code) ? code : ErrorCode.InternalError,
                        progress.ErrorMessage ?? "A partition of the run failed.");
                }

                if (current.All(p => p.IsDone))
                {
                    return;
                }

                // Partitions other runners hold: take over those whose runner died, else wait for them.
                heartbeat.Request();
                if (await runs.ClaimPartitionAsync(plan.Run.JobId, options.Owner, options.Lease, stop.Token) is { } claim)
                {
                    await _worker.RunAsync(claim, plan, rows, Saved, stop.Token);
                }
                else
                {
                    await Task.Delay(options.PollInterval, time, stop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Stopped by the heartbeat: the run is no longer this runner's.
            heartbeat.ThrowIfFailed();
            throw;
        }
        finally
        {
            await stop.CancelAsync();
            await renewal;
            await heartbeat.IdleAsync();
        }
    }

    /// <summary>Renews the run's lease a few times per lease while its partitions are scanned.</summary>
    private async Task RenewAsync(Heartbeat heartbeat, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.Lease / 3 < options.PollInterval ? options.Lease / 3 : options.PollInterval, time, cancellationToken);
                heartbeat.Request();
            }
        }
        catch (OperationCanceledException)
        {
            // The run's partitions are done (or the runner stops).
        }
    }

    /// <summary>Waits for every task; when one fails, stops the others, waits for them, and throws the first failure.</summary>
    private static async Task AllOrFirstFailureAsync(List<Task> tasks, CancellationTokenSource stop)
    {
        var pending = new List<Task>(tasks);
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            pending.Remove(done);
            if (done.IsFaulted || done.IsCanceled)
            {
                await stop.CancelAsync();
                await Task.WhenAll(pending).ContinueWith(_ => { }, TaskScheduler.Default);
                var failure = tasks.FirstOrDefault(t => t.IsFaulted && t.Exception!.InnerException is not OperationCanceledException) ?? done;
                await failure;
            }
        }
    }

    /// <summary>Works partitions of runs other runners coordinate, until none is left to take.</summary>
    private async Task HelpAsync(CancellationToken cancellationToken)
    {
        while (await runs.ClaimPartitionAsync(null, options.Owner, options.Lease, cancellationToken) is { } claim)
        {
            RunPlan plan;
            try
            {
                plan = RunPlan.Create(objects, accounts, access, claim.Run, claim.Snapshot, options.Lifecycle);
            }
            catch (CofferException error)
            {
                var failed = PartitionProgress.Decode(claim.Partition.Progress) with { ErrorCode = error.Code.ToString(), ErrorMessage = error.Message };
                await runs.EndPartitionAsync(claim.Partition, options.Owner, failed: true, failed.Encode(), cancellationToken);
                continue;
            }

            try
            {
                await _worker.RunAsync(claim, plan, new RowCounter(), null, cancellationToken);
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Recorded with the partition (or the partition went to another worker): the run's coordinator decides.
            }
        }
    }

    private async Task<ObjectInfo> PutSmallAsync(Tracker tracker, RunPlan plan, string key, byte[] body, string contentType,
        CancellationToken cancellationToken)
    {
        await SaveAsync(tracker, tracker.Progress.Planned(key), cancellationToken);
        var stored = await objects.PutObjectAsync(new PutObjectRequest
        {
            Bucket = plan.Target,
            Key = key,
            Body = new MemoryStream(body),
            ContentLength = body.Length,
            ContentType = contentType,
            ServerSideEncryption = plan.Encryption?.Algorithm,
            KmsKeyId = plan.Encryption?.KmsKeyId,
        }, cancellationToken);
        await SaveAsync(tracker, tracker.Progress.Finished(stored.Key, stored.VersionId), cancellationToken);
        return stored;
    }

    /// <summary>Saves the run's progress and counters and renews its lease; fails when another runner has taken the run over.</summary>
    private async Task SaveAsync(Tracker tracker, RunProgress progress, CancellationToken cancellationToken)
    {
        await tracker.Saving.WaitAsync(cancellationToken);
        try
        {
            tracker.Progress = progress;
            if (!await runs.SaveProgressAsync(tracker.Run.JobId, options.Owner, options.Lease, progress.Encode(), tracker.Counters, cancellationToken))
            {
                throw new InvalidOperationException($"Inventory run {tracker.Run.JobId} is no longer held by this runner.");
            }
        }
        finally
        {
            tracker.Saving.Release();
        }
    }

    /// <summary>Removes what a coordinator wrote: the recorded versions, and for writes it died in, what they may have made.</summary>
    private async Task RemoveWrittenAsync(string bucket, RunProgress progress, CancellationToken cancellationToken)
    {
        foreach (var item in progress.Written)
        {
            if (item.VersionId is { } versionId)
            {
                await ReportCleanup.RemoveAsync(objects, bucket, item.Key, versionId, cancellationToken);
            }
            else
            {
                await ReportCleanup.RemoveUnfinishedAsync(objects, bucket, item.Key, progress.AttemptStarted, cancellationToken);
            }
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

    /// <summary>A run, what its coordinator has written so far (manifest files; a journal report's parts) and its counters.</summary>
    private sealed class Tracker(InventoryRun run, RunProgress progress)
    {
        public InventoryRun Run { get; } = run;

        public RunProgress Progress { get; set; } = progress;

        public InventoryRunCounters Counters { get; set; } = InventoryRunCounters.Zero;

        /// <summary>One save at a time: the workers' saves and the coordinator's own share the run's record.</summary>
        public SemaphoreSlim Saving { get; } = new(1, 1);

        public void Count(IEnumerable<PartitionProgress> partitions)
        {
            long scanned = 0, scannedBytes = 0, matched = 0, matchedBytes = 0, files = 0;
            foreach (var partition in partitions)
            {
                (scanned, scannedBytes) = (scanned + partition.Counters.Scanned, scannedBytes + partition.Counters.ScannedBytes);
                (matched, matchedBytes) = (matched + partition.Counters.Matched, matchedBytes + partition.Counters.MatchedBytes);
                files += partition.Parts.Count;
            }

            Counters = new InventoryRunCounters(scanned, scannedBytes, matched, matchedBytes, files);
        }
    }

    /// <summary>
    /// Saves the run's counters and renews its lease when asked, one save at a time and never more than one waiting; a save
    /// that fails (the run went to another runner) stops the run's work.
    /// </summary>
    private sealed class Heartbeat(Func<Task> save, CancellationTokenSource stop)
    {
        private readonly Lock _lock = new();
        private Task _pump = Task.CompletedTask;
        private bool _pumping;
        private bool _again;
        private Exception? _failure;

        public void Request()
        {
            lock (_lock)
            {
                if (_pumping)
                {
                    _again = true;
                    return;
                }

                _pumping = true;
                _pump = Task.Run(PumpAsync);
            }
        }

        public void ThrowIfFailed()
        {
            if (_failure is { } failure)
            {
                throw failure;
            }
        }

        public async Task IdleAsync()
        {
            Task pump;
            lock (_lock)
            {
                pump = _pump;
            }

            await pump;
        }

        private async Task PumpAsync()
        {
            while (true)
            {
                try
                {
                    await save();
                }
                catch (Exception error)
                {
                    _failure ??= error;
                    await stop.CancelAsync();
                }

                lock (_lock)
                {
                    if (!_again || _failure is not null)
                    {
                        _pumping = false;
                        return;
                    }

                    _again = false;
                }
            }
        }
    }
}
