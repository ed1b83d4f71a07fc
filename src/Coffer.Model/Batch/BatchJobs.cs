using Coffer.Common;
using Coffer.Model.Objects;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model.Batch;

/// <summary>What CreateJob asks for.</summary>
public sealed record CreateBatchJobRequest
{
    public required string Account { get; init; }

    public required BatchJobSpec Spec { get; init; }

    public int Priority { get; init; }

    public required string ClientToken { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>
    /// Whether the creator may read the manifest object. When it may not, whether that object exists or has the ETag
    /// given is not its to learn: the job is created unchecked, and its run fails with AccessDenied whatever is there.
    /// </summary>
    public bool CreatorMayReadManifest { get; init; } = true;
}

/// <summary>A page of ListJobs, with the marker of the next page when there is one.</summary>
public sealed record BatchJobPage(IReadOnlyList<BatchJob> Jobs, string? NextToken);

/// <summary>A job handed to a runner: its record as claimed.</summary>
public sealed record ClaimedBatchJob(BatchJobRecord Record, BatchJobSpec Spec);

/// <summary>
/// The batch job API and queue. Jobs belong to an account; the API creates, describes, lists, re-prioritises, confirms,
/// cancels and tags them. Runners claim jobs with a lease they renew; a job whose runner died is claimed again once the
/// lease runs out, and goes on from the chunks it had finished.
/// </summary>
public sealed class BatchJobs(IMetadataStore metadata, TimeProvider time)
{
    public const int MaxTags = 50;
    public const int MaxPriority = int.MaxValue;

    // States a runner has work in, when no live lease holds the job.
    private static readonly string[] Workable =
    [
        BatchJobStates.New, BatchJobStates.Preparing, BatchJobStates.Ready, BatchJobStates.Active, BatchJobStates.Cancelling,
        BatchJobStates.Failing, BatchJobStates.Completing,
    ];

    /// <summary>
    /// Creates a job, or answers the job the same token created with the same parameters (a retried CreateJob). The
    /// manifest must exist with the ETag given (when the creator may read it) and the report bucket must exist: checked
    /// now, so a job is not created that can only fail for a reason its creator may be told.
    /// </summary>
    public async Task<string> CreateAsync(CreateBatchJobRequest request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        var spec = BatchCodec.EncodeSpec(request.Spec);
        var now = Now();
        return await metadata.WriteAsync(writer =>
        {
            if (writer.Jobs.FindByToken(request.Account, request.ClientToken) is { } existing)
            {
                return existing.Spec.AsSpan().SequenceEqual(spec) && existing.Priority == request.Priority
                    ? existing.JobId
                    : throw new CofferException(ErrorCode.BatchIdempotencyConflict,
                        "A job was created with this ClientRequestToken and other parameters.");
            }

            if (request.CreatorMayReadManifest)
            {
                CheckManifest(writer, request.Spec.Manifest);
            }

            if (request.Spec.Report.Enabled && writer.Buckets.Get(request.Spec.Report.Bucket!) is null)
            {
                throw new CofferException(ErrorCode.InvalidRequest, $"The report bucket '{request.Spec.Report.Bucket}' does not exist.");
            }

            var job = new BatchJobRecord
            {
                JobId = Guid.NewGuid().ToString("D"),
                Account = request.Account,
                ClientToken = request.ClientToken,
                Status = BatchJobStates.New,
                Priority = request.Priority,
                CreatedAt = now,
                Spec = spec,
                Tags = BatchCodec.EncodeTags(request.Tags),
            };
            writer.Jobs.Insert(job);
            return job.JobId;
        }, cancellationToken);
    }

    public BatchJob Get(string account, string jobId)
    {
        using var reader = metadata.OpenSnapshot();
        return ToJob(Require(reader, account, jobId));
    }

    /// <summary>The account's jobs, newest first, in any of <paramref name="statuses"/> (all when empty).</summary>
    public BatchJobPage List(string account, IReadOnlyCollection<string> statuses, int maxResults, string? nextToken)
    {
        foreach (var status in statuses)
        {
            if (!BatchJobStates.All.Contains(status))
            {
                throw new CofferException(ErrorCode.InvalidRequest, $"'{status}' is not a job status.");
            }
        }

        using var reader = metadata.OpenSnapshot();
        var after = nextToken is null ? null : reader.Jobs.Get(nextToken) is { } marker && marker.Account == account
            ? marker
            : throw new CofferException(ErrorCode.InvalidRequest, "The NextToken is not valid.");
        var page = reader.Jobs.List(account, statuses, maxResults + 1, after);
        var jobs = page.Take(maxResults).Select(ToJob).ToArray();
        return new BatchJobPage(jobs, page.Count > maxResults ? jobs[^1].JobId : null);
    }

    public Task<BatchJob> UpdatePriorityAsync(string account, string jobId, int priority, CancellationToken cancellationToken = default)
    {
        if (priority < 0)
        {
            throw new CofferException(ErrorCode.InvalidRequest, "Priority must be between 0 and 2147483647.");
        }

        return ChangeAsync(account, jobId, job => job with { Priority = priority }, cancellationToken);
    }

    /// <summary>
    /// Confirms a suspended job (Ready) or cancels a job (Cancelled). A job being worked on goes to Cancelling and its
    /// runner stops it; one nobody works on is Cancelled at once. Other changes are JobStatusException.
    /// </summary>
    public Task<BatchJob> UpdateStatusAsync(string account, string jobId, string requested, string? reason, CancellationToken cancellationToken = default)
    {
        if (reason is { Length: > 256 })
        {
            throw new CofferException(ErrorCode.InvalidRequest, "StatusUpdateReason may be at most 256 characters.");
        }

        var now = Now();
        return ChangeAsync(account, jobId, job => requested switch
        {
            BatchJobStates.Ready when job.Status == BatchJobStates.Suspended => job with { Status = BatchJobStates.Ready, StatusReason = reason },
            BatchJobStates.Cancelled when job.Status is BatchJobStates.New or BatchJobStates.Suspended or BatchJobStates.Ready
                && job.LeaseOwner is null => job with { Status = BatchJobStates.Cancelled, StatusReason = reason, FinishedAt = now },
            BatchJobStates.Cancelled when !BatchJobStates.IsTerminal(job.Status) && job.Status is not BatchJobStates.Failing and not BatchJobStates.Completing =>
                job with { Status = BatchJobStates.Cancelling, StatusReason = reason },
            BatchJobStates.Ready or BatchJobStates.Cancelled => throw new CofferException(ErrorCode.BatchJobStatusConflict,
                $"A job in status {job.Status} cannot be changed to {requested}."),
            _ => throw new CofferException(ErrorCode.InvalidRequest, $"The requested job status must be Ready or Cancelled, not '{requested}'."),
        }, cancellationToken);
    }

    public IReadOnlyList<KeyValuePair<string, string>> GetTags(string account, string jobId) => Get(account, jobId).Tags;

    public Task PutTagsAsync(string account, string jobId, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken = default)
    {
        ValidateTags(tags);
        return ChangeAsync(account, jobId, job => job with { Tags = BatchCodec.EncodeTags(tags) }, cancellationToken);
    }

    public Task DeleteTagsAsync(string account, string jobId, CancellationToken cancellationToken = default) =>
        ChangeAsync(account, jobId, job => job with { Tags = null }, cancellationToken);

    /// <summary>Claims the job most worth working on (highest priority, then oldest) whose lease is free, until <paramref name="lease"/> from now.</summary>
    public Task<ClaimedBatchJob?> ClaimNextAsync(string owner, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        return metadata.WriteAsync(writer =>
        {
            var job = writer.Jobs.ListInStates(Workable, 100).FirstOrDefault(j => j.LeaseExpires is null || j.LeaseExpires < now);
            if (job is null)
            {
                return null;
            }

            var claimed = job with { LeaseOwner = owner, LeaseExpires = now + lease };
            writer.Jobs.Update(claimed);
            return new ClaimedBatchJob(claimed, BatchCodec.DecodeSpec(claimed.Spec));
        }, cancellationToken);
    }

    /// <summary>
    /// Makes every leased job claimable at once. Only for a process that holds the data folder: the leases it finds are
    /// those of a process that died. Returns how many.
    /// </summary>
    public Task<int> ReleaseAbandonedLeasesAsync(CancellationToken cancellationToken = default) =>
        metadata.WriteAsync(writer =>
        {
            var leased = writer.Jobs.ListInStates(Workable, int.MaxValue).Where(j => j.LeaseOwner is not null).ToArray();
            foreach (var job in leased)
            {
                writer.Jobs.Update(job with { LeaseExpires = null });
            }

            return leased.Length;
        }, cancellationToken);

    /// <summary>
    /// Changes a job its runner holds, renewing the lease; null when the job is no longer this owner's (the lease ran out
    /// and another runner took it). <paramref name="change"/> runs inside the transaction and may do more in it.
    /// </summary>
    public Task<BatchJobRecord?> UpdateHeldAsync(string jobId, string owner, TimeSpan lease, Func<IMetadataTransaction, BatchJobRecord, BatchJobRecord> change,
        CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        return metadata.WriteAsync(writer =>
        {
            var job = writer.Jobs.Get(jobId);
            if (job is null || job.LeaseOwner != owner)
            {
                return null;
            }

            var changed = change(writer, job);
            var final = BatchJobStates.IsTerminal(changed.Status)
                ? changed with { LeaseOwner = null, LeaseExpires = null, FinishedAt = changed.FinishedAt ?? now }
                : changed.LeaseOwner is null ? changed with { LeaseExpires = null } : changed with { LeaseExpires = now + lease };
            writer.Jobs.Update(final);
            return final;
        }, cancellationToken);
    }

    /// <summary>
    /// Records, inside the transaction that applied them, the results of a chunk's tasks from <paramref name="start"/>:
    /// the chunk's progress and results, the job's counters, its elapsed time and lease, and the failure threshold (more
    /// than half failed once 1,000 tasks ran: the job is Failing). Null, so that the caller rolls back, when the job is no
    /// longer <paramref name="owner"/>'s to work on (its lease was taken over, it is being cancelled or has failed) or
    /// the chunk is not where the caller thinks.
    /// </summary>
    public static BatchJobRecord? RecordResults(IMetadataTransaction writer, string jobId, string owner, int chunkNumber, int start,
        IReadOnlyList<BatchTaskResult> results, TimeSpan lease, DateTimeOffset now, long activeMilliseconds)
    {
        var job = writer.Jobs.Get(jobId);
        var chunk = writer.Jobs.GetChunk(jobId, chunkNumber);
        if (job is null || job.LeaseOwner != owner || job.Status != BatchJobStates.Active || chunk is null || chunk.Done != start)
        {
            return null;
        }

        var kept = BatchCodec.DecodeResults(chunk.Results).ToList();
        var failed = 0;
        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            failed += result.Succeeded ? 0 : 1;
            if (!result.Succeeded || !ReferenceEquals(result, BatchTaskResult.Success))
            {
                kept.Add((start + i, result));
            }
        }

        var succeeded = results.Count - failed;
        writer.Jobs.UpdateChunk(chunk with
        {
            Done = start + results.Count,
            Succeeded = chunk.Succeeded + succeeded,
            Failed = chunk.Failed + failed,
            Results = BatchCodec.EncodeResults(kept),
        });
        var updated = job with
        {
            TasksSucceeded = job.TasksSucceeded + succeeded,
            TasksFailed = job.TasksFailed + failed,
            ActiveMilliseconds = Math.Max(job.ActiveMilliseconds, activeMilliseconds),
            LeaseExpires = now + lease,
        };
        var ran = updated.TasksSucceeded + updated.TasksFailed;
        if (ran >= FailureThresholdTasks && updated.TasksFailed * 2 > ran)
        {
            updated = updated with
            {
                Status = BatchJobStates.Failing,
                FailureCode = "TaskFailureThresholdExceeded",
                FailureReason = $"{updated.TasksFailed} of the {ran} tasks run failed: more than half, after at least {FailureThresholdTasks}.",
            };
        }

        writer.Jobs.Update(updated);
        return updated;
    }

    /// <summary><see cref="RecordResults"/> in a transaction of its own (results of tasks that changed nothing).</summary>
    public Task<BatchJobRecord?> RecordAsync(string jobId, string owner, int chunk, int start, IReadOnlyList<BatchTaskResult> results, TimeSpan lease,
        long activeMilliseconds, CancellationToken cancellationToken = default) =>
        metadata.WriteAsync(writer => RecordResults(writer, jobId, owner, chunk, start, results, lease, time.GetUtcNow(), activeMilliseconds), cancellationToken);

    /// <summary>After this many tasks, a job with more than half of them failed fails (S3's rule).</summary>
    public const int FailureThresholdTasks = 1000;

    public BatchJobRecord? Find(string jobId)
    {
        using var reader = metadata.OpenSnapshot();
        return reader.Jobs.Get(jobId);
    }

    public IReadOnlyList<BatchChunkRecord> Chunks(string jobId, int fromChunk, int limit, bool unfinishedOnly)
    {
        using var reader = metadata.OpenSnapshot();
        return reader.Jobs.ListChunks(jobId, fromChunk, limit, unfinishedOnly);
    }

    public static BatchJob ToJob(BatchJobRecord record) => new()
    {
        JobId = record.JobId,
        Account = record.Account,
        Spec = BatchCodec.DecodeSpec(record.Spec),
        Status = record.Status,
        Priority = record.Priority,
        CreatedAt = record.CreatedAt,
        TerminatedAt = record.FinishedAt,
        TotalTasks = record.TotalTasks,
        TasksSucceeded = record.TasksSucceeded,
        TasksFailed = record.TasksFailed,
        ElapsedSeconds = record.ActiveMilliseconds / 1000,
        StatusReason = record.StatusReason,
        Failure = record.FailureCode is null ? null : new BatchFailure(record.FailureCode, record.FailureReason ?? ""),
        Tags = BatchCodec.DecodeTags(record.Tags),
        ReportManifestKey = BatchProgress.Decode(record.Progress).ReportManifestKey,
    };

    private async Task<BatchJob> ChangeAsync(string account, string jobId, Func<BatchJobRecord, BatchJobRecord> change, CancellationToken cancellationToken)
    {
        var changed = await metadata.WriteAsync(writer =>
        {
            var job = Require(writer, account, jobId);
            var updated = change(job);
            writer.Jobs.Update(updated);
            return updated;
        }, cancellationToken);
        return ToJob(changed);
    }

    private static BatchJobRecord Require(IMetadataView reader, string account, string jobId) =>
        reader.Jobs.Get(jobId) is { } job && job.Account == account
            ? job
            : throw new CofferException(ErrorCode.NoSuchBatchJob, $"There is no job '{jobId}' in this account.");

    private static void CheckManifest(IMetadataView reader, BatchManifest manifest)
    {
        var bucket = reader.Buckets.Get(manifest.Bucket)
            ?? throw new CofferException(ErrorCode.InvalidRequest, $"The manifest's bucket '{manifest.Bucket}' does not exist.");
        var version = manifest.VersionId is null ? reader.Versions.GetLatest(bucket.Id, manifest.Key) : reader.Versions.Get(bucket.Id, manifest.Key, manifest.VersionId);
        if (version is null || version.IsDeleteMarker)
        {
            throw new CofferException(ErrorCode.InvalidRequest, $"The manifest object '{manifest.Key}' does not exist in '{manifest.Bucket}'.");
        }

        if (!string.Equals(version.ETag, manifest.ETag.Trim('"'), StringComparison.OrdinalIgnoreCase))
        {
            // The object's own ETag is not told: the caller may be another account that may not read it.
            throw new CofferException(ErrorCode.InvalidRequest, $"The manifest's ETag does not match the one the request named, {manifest.ETag.Trim('"')}.");
        }
    }

    private static void Validate(CreateBatchJobRequest request)
    {
        var spec = request.Spec;
        if (request.ClientToken.Length is 0 or > 64)
        {
            throw new CofferException(ErrorCode.InvalidRequest, "ClientRequestToken must be 1 to 64 characters.");
        }

        if (request.Priority < 0)
        {
            throw new CofferException(ErrorCode.InvalidRequest, "Priority must be between 0 and 2147483647.");
        }

        if (spec.Description is { Length: > 256 })
        {
            throw new CofferException(ErrorCode.InvalidRequest, "Description may be at most 256 characters.");
        }

        if (!ManifestFormats.IsKnown(spec.Manifest.Format))
        {
            throw new CofferException(ErrorCode.InvalidRequest, $"The manifest format '{spec.Manifest.Format}' is not supported.");
        }

        if (!spec.Manifest.IsInventoryReport)
        {
            var fields = spec.Manifest.Fields;
            if (!fields.Contains("Bucket") || !fields.Contains("Key") || fields.Any(f => f is not ("Bucket" or "Key" or "VersionId" or "Ignore"))
                || fields.Count(f => f != "Ignore") != fields.Distinct().Count(f => f != "Ignore"))
            {
                throw new CofferException(ErrorCode.InvalidRequest, "A CSV manifest's Fields must name Bucket and Key once each, and may name VersionId and Ignore.");
            }
        }

        if (spec.Report.Enabled && string.IsNullOrEmpty(spec.Report.Bucket))
        {
            throw new CofferException(ErrorCode.InvalidRequest, "An enabled completion report needs a Bucket.");
        }

        // The prefix starts the key of every report file, so it must make keys a new object may have; checked here, as a
        // job that failed for it only after its tasks ran would have done the work and told nobody.
        if (spec.Report.Enabled && spec.Report.Prefix is { } prefix && (prefix.Length > 512 || ObjectKey.HasDotSegment(prefix)))
        {
            throw new CofferException(ErrorCode.InvalidRequest, "The report's Prefix must be at most 512 characters, with no '.' or '..' path segment.");
        }

        if (spec.Report.Scope is not ("AllTasks" or "FailedTasksOnly") || spec.Report.Format != "Report_CSV_20180820")
        {
            throw new CofferException(ErrorCode.InvalidRequest, "The report must be Report_CSV_20180820 with scope AllTasks or FailedTasksOnly.");
        }

        var operation = spec.Operation;
        switch (operation.Kind)
        {
            case BatchOperationKind.PutObjectTagging:
                ObjectTags.Validate(operation.Tags);
                break;
            case BatchOperationKind.PutObjectCopy:
                ObjectTags.Validate(operation.Tags);
                break;
            case BatchOperationKind.ComputeObjectChecksum when operation.ChecksumAlgorithm is "MD5" or "SHA512" or "XXHASH64" or "XXHASH3" or "XXHASH128":
                throw new CofferException(ErrorCode.NotImplemented, $"The checksum algorithm '{operation.ChecksumAlgorithm}' is not implemented.");
            case BatchOperationKind.ComputeObjectChecksum when operation.ChecksumAlgorithm is not ("CRC32" or "CRC32C" or "CRC64NVME" or "SHA1" or "SHA256" or "CRC64"):
                throw new CofferException(ErrorCode.InvalidRequest, $"The checksum algorithm '{operation.ChecksumAlgorithm}' is not supported.");
        }

        ValidateTags(request.Tags);
    }

    private static void ValidateTags(IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        if (tags.Count > MaxTags)
        {
            throw new CofferException(ErrorCode.TooManyBatchJobTags, $"A job may have at most {MaxTags} tags.");
        }

        if (tags.Any(t => t.Key.Length is 0 or > 128 || t.Value.Length > 256) || tags.Select(t => t.Key).Distinct().Count() != tags.Count)
        {
            throw new CofferException(ErrorCode.InvalidTag, "Job tag keys must be 1 to 128 characters and unique, values at most 256.");
        }
    }

    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
}
