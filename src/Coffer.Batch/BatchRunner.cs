using System.Diagnostics;
using System.Threading.Channels;
using Coffer.Common;
using Coffer.Model;
using Coffer.Model.Access;
using Coffer.Model.Accounts;
using Coffer.Model.Batch;
using Coffer.Model.Objects;
using Coffer.Storage.Records;

namespace Coffer.Batch;

/// <summary>
/// Runs batch jobs: reads the manifest into chunks of tasks (Preparing), waits for a confirmation when asked (Suspended),
/// works the chunks in parallel (Active) — each chunk's results commit in the transaction that applies a metadata
/// operation, each copy's in the copy's own — then writes the completion report and ends the job. A job whose runner
/// died is claimed again after its lease and goes on from the results committed: no task is applied twice or skipped.
/// </summary>
public sealed class BatchRunner(ObjectService objects, BatchJobs jobs, AccessControl access, IdentityDirectory identities, TimeProvider time,
    BatchRunnerOptions options)
{
    private const int ChunksPerInsert = 64;

    public BatchRunnerOptions Options => options;

    /// <summary>Claims and runs jobs until none is left to work on; returns how many were worked on.</summary>
    public async Task<int> RunPendingAsync(CancellationToken cancellationToken = default)
    {
        var count = 0;
        while (await jobs.ClaimNextAsync(options.Owner, options.Lease, cancellationToken) is { } claimed)
        {
            await RunAsync(claimed, cancellationToken);
            count++;
        }

        return count;
    }

    /// <summary>Works one claimed job until it ends, waits for confirmation, or is no longer this runner's.</summary>
    public async Task RunAsync(ClaimedBatchJob claimed, CancellationToken cancellationToken = default)
    {
        var spec = claimed.Spec;
        BatchJobRecord? job = claimed.Record;
        try
        {
            while (job is not null && !BatchJobStates.IsTerminal(job.Status) && job.LeaseOwner == options.Owner)
            {
                job = job.Status switch
                {
                    BatchJobStates.New or BatchJobStates.Preparing => await PrepareAsync(job, spec, cancellationToken),
                    BatchJobStates.Ready => await HoldAsync(job.JobId, (_, j) => j with { Status = BatchJobStates.Active }, cancellationToken),
                    BatchJobStates.Active => await WorkAsync(job, spec, cancellationToken),
                    BatchJobStates.Completing or BatchJobStates.Failing or BatchJobStates.Cancelling => await FinishAsync(job, spec, cancellationToken),
                    _ => await HoldAsync(job.JobId, (_, j) => j with { LeaseOwner = null }, cancellationToken),
                };
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the lease runs out and another runner goes on from the results committed.
            throw;
        }
        catch (Exception error)
        {
            var code = error is CofferException coffer ? coffer.Code.ToString() : ErrorCode.InternalError.ToString();
            job = await HoldAsync(claimed.Record.JobId, (_, j) => j with { Status = BatchJobStates.Failed, FailureCode = code, FailureReason = error.Message },
                CancellationToken.None);
        }

        if (job is not null && BatchJobStates.IsTerminal(job.Status))
        {
            options.JobEnded?.Invoke(BatchJobs.ToJob(job));
        }
    }

    private Task<BatchJobRecord?> HoldAsync(string jobId, Func<Storage.IMetadataTransaction, BatchJobRecord, BatchJobRecord> change,
        CancellationToken cancellationToken) =>
        jobs.UpdateHeldAsync(jobId, options.Owner, options.Lease, change, cancellationToken);

    /// <summary>Reads the manifest into chunks, from scratch (an earlier attempt's chunks are dropped first).</summary>
    private async Task<BatchJobRecord?> PrepareAsync(BatchJobRecord job, BatchJobSpec spec, CancellationToken cancellationToken)
    {
        var current = await HoldAsync(job.JobId, (w, j) =>
        {
            w.Jobs.DeleteChunks(j.JobId);
            return j with { Status = BatchJobStates.Preparing, TotalTasks = 0, Progress = null };
        }, cancellationToken);
        var pending = new List<BatchChunkRecord>();
        var tasks = new List<BatchTask>(options.ChunkSize);
        var chunk = 0;
        long total = 0;
        var permission = new BatchPermission(access, identities.Find(spec.Creator.SecretId), time);
        try
        {
            var manifest = new ManifestReader(objects, permission.MayRead).Read(spec.Manifest);
            // As S3 does, a report the creator may not write fails the job before any task runs.
            EnsureMayWriteReport(permission, spec, CompletionReport.Root(spec.Report, job.JobId) + "manifest.json");
            foreach (var task in manifest)
            {
                tasks.Add(task);
                if (tasks.Count == options.ChunkSize)
                {
                    pending.Add(Chunk(job.JobId, chunk++, tasks));
                    total += tasks.Count;
                    tasks.Clear();
                    if (pending.Count == ChunksPerInsert && (current = await InsertAsync(job.JobId, pending, cancellationToken)) is not { Status: BatchJobStates.Preparing })
                    {
                        return current;
                    }
                }
            }
        }
        catch (Exception error) when (error is ManifestException or CofferException)
        {
            // Nothing has run yet: the job fails whole, with the manifest's fault.
            var code = error is ManifestException manifest ? manifest.Code : ((CofferException)error).Code.ToString();
            return await HoldAsync(job.JobId, (w, j) =>
            {
                w.Jobs.DeleteChunks(j.JobId);
                return j with { Status = BatchJobStates.Failed, FailureCode = code, FailureReason = error.Message };
            }, cancellationToken);
        }

        if (tasks.Count > 0)
        {
            pending.Add(Chunk(job.JobId, chunk++, tasks));
            total += tasks.Count;
        }

        var chunks = chunk;
        return await HoldAsync(job.JobId, (w, j) =>
        {
            w.Jobs.InsertChunks(pending);
            return j.Status != BatchJobStates.Preparing ? j : j with
            {
                TotalTasks = total,
                Progress = new BatchProgress { Chunks = chunks, Prepared = true }.Encode(),
                Status = spec.ConfirmationRequired ? BatchJobStates.Suspended : BatchJobStates.Ready,
                LeaseOwner = spec.ConfirmationRequired ? null : j.LeaseOwner,
            };
        }, cancellationToken);
    }

    private async Task<BatchJobRecord?> InsertAsync(string jobId, List<BatchChunkRecord> pending, CancellationToken cancellationToken)
    {
        var inserted = await HoldAsync(jobId, (w, j) =>
        {
            w.Jobs.InsertChunks(pending);
            return j;
        }, cancellationToken);
        pending.Clear();
        return inserted;
    }

    private static BatchChunkRecord Chunk(string jobId, int number, List<BatchTask> tasks) => new()
    {
        JobId = jobId,
        Chunk = number,
        Tasks = BatchCodec.EncodeTasks(tasks),
        TaskCount = tasks.Count,
    };

    /// <summary>Works the unfinished chunks, <see cref="BatchRunnerOptions.Parallelism"/> at once, until none is left or the job stops.</summary>
    private async Task<BatchJobRecord?> WorkAsync(BatchJobRecord job, BatchJobSpec spec, CancellationToken cancellationToken)
    {
        var creator = identities.Find(spec.Creator.SecretId);
        var clock = Stopwatch.StartNew();
        var activeBase = job.ActiveMilliseconds;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var queue = Channel.CreateBounded<BatchChunkRecord>(options.Parallelism * 2);
        var feeder = Task.Run(async () =>
        {
            try
            {
                var from = 0;
                while (!stop.IsCancellationRequested && jobs.Chunks(job.JobId, from, 256, unfinishedOnly: true) is { Count: > 0 } page)
                {
                    foreach (var chunk in page)
                    {
                        await queue.Writer.WriteAsync(chunk, stop.Token);
                    }

                    from = page[^1].Chunk + 1;
                }
            }
            finally
            {
                queue.Writer.TryComplete();
            }
        }, CancellationToken.None);

        var workers = Enumerable.Range(0, options.Parallelism).Select(_ => Task.Run(async () =>
        {
            var permission = new BatchPermission(access, creator, time);
            await foreach (var chunk in queue.Reader.ReadAllAsync(stop.Token))
            {
                var work = new ChunkWork(job.JobId, spec.Operation, chunk, permission, () => activeBase + clock.ElapsedMilliseconds);
                if (!await RunChunkAsync(work, stop.Token))
                {
                    await stop.CancelAsync();
                    return;
                }
            }
        }, CancellationToken.None)).ToArray();

        try
        {
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A worker stopped the others: the job is no longer Active (or no longer ours).
        }

        await stop.CancelAsync();
        await feeder.ContinueWith(_ => { }, TaskScheduler.Default);
        cancellationToken.ThrowIfCancellationRequested();

        return await HoldAsync(job.JobId, (w, j) =>
            j.Status == BatchJobStates.Active && w.Jobs.ListChunks(j.JobId, 0, 1, unfinishedOnly: true).Count == 0
                ? j with { Status = BatchJobStates.Completing, ActiveMilliseconds = Math.Max(j.ActiveMilliseconds, activeBase + clock.ElapsedMilliseconds) }
                : j, cancellationToken);
    }

    /// <summary>One chunk's remaining tasks; false when the job must stop (cancelled, failing, or taken over).</summary>
    private async Task<bool> RunChunkAsync(ChunkWork work, CancellationToken cancellationToken)
    {
        var tasks = BatchCodec.DecodeTasks(work.Chunk.Tasks);
        var start = work.Chunk.Done;
        work.Permission.Refresh();
        var operation = work.Operation;
        BatchJobRecord? recorded;
        switch (operation.Kind)
        {
            case BatchOperationKind.PutObjectCopy:
                for (var i = start; i < tasks.Count; i++)
                {
                    if (!await CopyAsync(work, tasks[i], i, cancellationToken))
                    {
                        return false;
                    }
                }

                return true;
            case BatchOperationKind.ComputeObjectChecksum:
                var results = tasks.Skip(start).Select(task => work.Permission.Allows(operation, task)
                    ? Checksum(operation, task)
                    : Denied()).ToArray();
                recorded = await jobs.RecordAsync(work.JobId, options.Owner, work.Chunk.Chunk, start, results, options.Lease, work.Active(), cancellationToken);
                break;
            default:
                recorded = await objects.ApplyBatchAsync(operation, tasks.Skip(start).ToArray(), task => work.Permission.Allows(operation, task),
                    (w, results) => BatchJobs.RecordResults(w, work.JobId, options.Owner, work.Chunk.Chunk, start, results, options.Lease,
                        time.GetUtcNow(), work.Active()), cancellationToken);
                break;
        }

        return Recorded(work.JobId, recorded);
    }

    private bool Recorded(string jobId, BatchJobRecord? recorded)
    {
        if (recorded is null)
        {
            return false;
        }

        options.ChunkDone?.Invoke(jobId, recorded.TasksSucceeded + recorded.TasksFailed);
        return recorded.Status == BatchJobStates.Active;
    }

    /// <summary>Copies one object; the result commits with the copy (or, when it fails, on its own).</summary>
    private async Task<bool> CopyAsync(ChunkWork work, BatchTask task, int index, CancellationToken cancellationToken)
    {
        var operation = work.Operation;
        var targetBucket = operation.TargetBucket ?? task.Bucket;
        var targetKey = (operation.TargetKeyPrefix ?? "") + task.Key;
        BatchTaskResult failure;
        if (work.Permission.Allows(operation, task, targetBucket, targetKey))
        {
            BatchJobRecord? recorded = null;
            try
            {
                var source = objects.HeadObject(task.Bucket, task.Key, task.VersionId);
                await objects.CopyForBatchAsync(new CopyObjectRequest
                {
                    SourceBucket = task.Bucket,
                    SourceKey = task.Key,
                    SourceVersionId = task.VersionId,
                    Bucket = targetBucket,
                    Key = targetKey,
                    StorageClass = operation.StorageClass ?? source.StorageClass,
                    ReplaceMetadata = operation.ReplaceMetadata,
                    ContentType = operation.ContentType,
                    UserMetadata = operation.UserMetadata,
                    ReplaceTags = operation.ReplaceTags,
                    Tags = operation.Tags,
                    Acl = operation.CannedAcl,
                    ServerSideEncryption = operation.ServerSideEncryption,
                }, w => recorded = BatchJobs.RecordResults(w, work.JobId, options.Owner, work.Chunk.Chunk, index, [BatchTaskResult.Success], options.Lease,
                    time.GetUtcNow(), work.Active()) ?? throw new LostJobException(), cancellationToken);
                return Recorded(work.JobId, recorded);
            }
            catch (LostJobException)
            {
                return false;
            }
            catch (CofferException error)
            {
                failure = BatchTaskResult.Failure(error.Code, error.Message);
            }
        }
        else
        {
            failure = Denied();
        }

        return Recorded(work.JobId, await jobs.RecordAsync(work.JobId, options.Owner, work.Chunk.Chunk, index, [failure], options.Lease, work.Active(),
            cancellationToken));
    }

    private BatchTaskResult Checksum(BatchOperation operation, BatchTask task)
    {
        try
        {
            var content = objects.GetObject(task.Bucket, task.Key, task.VersionId);
            if (content.Info.IsDeleteMarker)
            {
                return BatchTaskResult.Failure(task.VersionId is null ? ErrorCode.NoSuchKey : ErrorCode.MethodNotAllowed, "The object is a delete marker.");
            }

            using var stream = content.Open();
            return new BatchTaskResult(true, "", ObjectChecksum.Compute(operation.ChecksumAlgorithm!, stream));
        }
        catch (CofferException error)
        {
            return BatchTaskResult.Failure(error.Code, error.Message);
        }
    }

    private static BatchTaskResult Denied() =>
        BatchTaskResult.Failure(ErrorCode.AccessDenied, "Access Denied. The job's creator may not do this to this object.");

    /// <summary>Writes the completion report (unless none was asked for or no task ran), then ends the job.</summary>
    private async Task<BatchJobRecord?> FinishAsync(BatchJobRecord job, BatchJobSpec spec, CancellationToken cancellationToken)
    {
        var progress = BatchProgress.Decode(job.Progress);
        // An earlier attempt may have written part of the report: it goes, and the report is written whole again.
        foreach (var key in progress.ReportKeys)
        {
            await objects.DeleteObjectAsync(spec.Report.Bucket!, key, null, cancellationToken);
        }

        string? manifestKey = null;
        if (spec.Report.Enabled && job.TasksSucceeded + job.TasksFailed > 0)
        {
            var written = new List<string>();
            var permission = new BatchPermission(access, identities.Find(spec.Creator.SecretId), time);
            manifestKey = await new CompletionReport(objects, options, time).WriteAsync(job, spec, async key =>
            {
                // Checked again per file: the bucket's rules or the creator's key may have changed while the tasks ran.
                EnsureMayWriteReport(permission, spec, key);
                written.Add(key);
                var recorded = progress with { ReportKeys = [.. written] };
                _ = await HoldAsync(job.JobId, (_, j) => j with { Progress = recorded.Encode() }, cancellationToken)
                    ?? throw new LostJobException();
            }, from => jobs.Chunks(job.JobId, from, 64, unfinishedOnly: false), cancellationToken);
        }

        var final = job.Status switch
        {
            BatchJobStates.Completing => BatchJobStates.Complete,
            BatchJobStates.Cancelling => BatchJobStates.Cancelled,
            _ => BatchJobStates.Failed,
        };
        var reported = progress with { ReportManifestKey = manifestKey, ReportKeys = [] };
        return await HoldAsync(job.JobId, (_, j) => j with { Status = final, Progress = reported.Encode() }, cancellationToken);
    }

    private static void EnsureMayWriteReport(BatchPermission permission, BatchJobSpec spec, string key)
    {
        if (spec.Report.Enabled && !permission.MayWrite(spec.Report.Bucket!, key))
        {
            throw new CofferException(ErrorCode.AccessDenied,
                $"Access Denied. The job's creator may not write its completion report to {spec.Report.Bucket}/{key}.");
        }
    }

    private sealed record ChunkWork(string JobId, BatchOperation Operation, BatchChunkRecord Chunk, BatchPermission Permission, Func<long> Active);

    /// <summary>The job stopped being this runner's while a copy committed: the copy rolls back with its record.</summary>
    private sealed class LostJobException : Exception;
}
