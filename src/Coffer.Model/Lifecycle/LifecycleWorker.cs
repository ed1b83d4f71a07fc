using Coffer.Common;
using Coffer.Common.Lifecycle;
using Coffer.Model.Buckets;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model.Lifecycle;

public sealed record LifecycleOptions
{
    /// <summary>Who holds a pass's lease: unique per process, so that nodes sharing a database take turns.</summary>
    public string Owner { get; init; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>How long a pass may go without renewing its lease before another node takes it over.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How many keys a pass reads per step (one snapshot, and one transaction when something is due).</summary>
    public int BatchKeys { get; init; } = 1000;
}

/// <summary>What one pass over a bucket did.</summary>
public sealed record LifecyclePassResult(string Bucket, long KeysScanned, long Expired, long VersionsDeleted, long UploadsAborted, long Transitioned);

/// <summary>
/// Executes lifecycle rules. A bucket is due once a UTC day, and again as soon as its configuration changes; a pass
/// evaluates every rule as of the instant it started, scanning the bucket by key range (only the ranges the rules'
/// prefixes name) in batches, and applies what is due in one transaction per batch. Its progress and a lease live in a
/// bucket configuration of their own, read inside each transaction (which, on PostgreSQL, holds it), so nodes sharing a
/// database never run a bucket's pass twice, and a pass whose node died is resumed where it stopped once the lease runs
/// out. Time comes from the injected clock.
/// </summary>
public sealed class LifecycleWorker(StorageEngine engine, BucketSettings settings, TimeProvider time, LifecycleOptions options)
{
    // Without event notifications: S3 announces lifecycle deletions as LifecycleExpiration events, which Coffer does not send.
    private readonly ObjectService _expirations = new(engine, time);

    public const string StateKind = "lifecycle-state";

    /// <summary>Runs the pass of every bucket that is due; returns what each pass did.</summary>
    public async Task<IReadOnlyList<LifecyclePassResult>> RunDueAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<(BucketRecord Bucket, BucketConfigRecord Config)> configured;
        using (var reader = engine.Metadata.OpenSnapshot())
        {
            configured = reader.Configs.ListAll(BucketSettings.LifecycleKind);
        }

        var results = new List<LifecyclePassResult>();
        foreach (var (bucket, config) in configured)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await ClaimAsync(bucket.Id, cancellationToken) is { } claim)
            {
                results.Add(await PassAsync(bucket, claim, cancellationToken));
            }
        }

        return results;
    }

    /// <summary>Takes the bucket's pass when it is due and no other node holds it: a new pass, or the rest of one left unfinished.</summary>
    private Task<LifecycleState?> ClaimAsync(long bucketId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return engine.Metadata.WriteAsync(writer =>
        {
            if (writer.Configs.Get(bucketId, BucketSettings.LifecycleKind, "") is not { } config)
            {
                return null;
            }

            var state = ReadState(writer, bucketId) ?? new LifecycleState();
            if (state.LeaseOwner is { } owner && owner != options.Owner && state.LeaseExpires > now)
            {
                return null;
            }

            var resuming = state.PassAt is not null;
            var due = resuming || state.CompletedConfigAt < config.UpdatedAt || state.CompletedConfigAt is null
                || state.CompletedPassAt is not { } completed || completed.UtcDateTime.Date < now.UtcDateTime.Date;
            if (!due)
            {
                return null;
            }

            var claimed = state with
            {
                PassAt = state.PassAt ?? now,
                ConfigAt = resuming ? state.ConfigAt : config.UpdatedAt,
                LeaseOwner = options.Owner,
                LeaseExpires = now + options.Lease,
            };
            WriteState(writer, bucketId, claimed, now);
            return claimed;
        }, cancellationToken);
    }

    private async Task<LifecyclePassResult> PassAsync(BucketRecord bucket, LifecycleState claim, CancellationToken cancellationToken)
    {
        var counts = new Counts();
        LifecycleConfiguration configuration;
        using (var reader = engine.Metadata.OpenSnapshot())
        {
            var stored = reader.Configs.Get(bucket.Id, BucketSettings.LifecycleKind, "");
            configuration = stored is null ? new LifecycleConfiguration([]) : settings.Parsed<LifecycleConfiguration>(bucket.Id, BucketSettings.LifecycleKind, stored.Body);
        }

        var state = claim;
        var passAt = claim.PassAt!.Value;
        var ranges = KeyRanges(configuration);
        var detail = configuration.Rules.Any(r => r.Filter.Tags.Count > 0) ? VersionDetail.Tags : VersionDetail.Summary;
        if (!state.UploadsPhase && configuration.Rules.Any(HasVersionAction))
        {
            foreach (var (from, to) in ranges)
            {
                while (NextVersions(bucket.Id, Start(from, state.Cursor), to, detail) is { Count: > 0 } batch)
                {
                    var actions = new List<LifecycleAction>();
                    foreach (var versions in batch)
                    {
                        LifecyclePlanner.Plan(configuration, versions, passAt, actions);
                    }

                    counts.Keys += batch.Count;
                    state = await CommitAsync(bucket, state with { Cursor = batch[^1][0].Key }, actions, [], counts, cancellationToken);
                }
            }

            state = state with { UploadsPhase = true, Cursor = null };
        }

        var abortRules = configuration.Rules.Where(r => r.Enabled && r.AbortIncompleteMultipartUploadDays is not null).ToArray();
        if (abortRules.Length > 0)
        {
            foreach (var (from, to) in ranges)
            {
                while (NextUploads(bucket.Id, from, state, to) is { Count: > 0 } uploads)
                {
                    var expired = uploads.Where(u => abortRules.Any(r => u.Key.StartsWith(r.Filter.Prefix, StringComparison.Ordinal)
                        && passAt >= LifecycleConfiguration.DueAfter(u.InitiatedAt, r.AbortIncompleteMultipartUploadDays!.Value))).ToArray();
                    state = await CommitAsync(bucket, state with { Cursor = uploads[^1].Key }, [], expired, counts, cancellationToken);
                }
            }
        }

        var now = time.GetUtcNow();
        await engine.Metadata.WriteAsync(writer =>
        {
            CheckLease(writer, bucket.Id, now);
            WriteState(writer, bucket.Id, new LifecycleState { CompletedPassAt = passAt, CompletedConfigAt = state.ConfigAt }, now);
            return 0;
        }, cancellationToken);
        return new LifecyclePassResult(bucket.Name, counts.Keys, counts.Expired, counts.Deleted, counts.Aborted, counts.Transitioned);
    }

    /// <summary>
    /// One step: applies what is due in this batch and saves how far the pass got, in one transaction (renewing the
    /// lease); a batch with nothing due is not written unless the lease needs renewing, so a pass over a bucket where
    /// nothing is due costs reads.
    /// </summary>
    private async Task<LifecycleState> CommitAsync(BucketRecord bucket, LifecycleState state, IReadOnlyList<LifecycleAction> actions,
        IReadOnlyList<MultipartUploadRecord> uploads, Counts counts, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (actions.Count == 0 && uploads.Count == 0 && state.LeaseExpires - now > options.Lease / 2)
        {
            return state;
        }

        var renewed = state with { LeaseExpires = now + options.Lease };
        var applied = await engine.CommitAsync(null, writer =>
        {
            CheckLease(writer, bucket.Id, now);
            var current = writer.Buckets.Get(bucket.Id) ?? throw new CofferException(ErrorCode.NoSuchBucket, "The bucket was deleted during its lifecycle pass.");
            var done = new Counts();
            foreach (var action in actions)
            {
                if (_expirations.Apply(writer, current, action, now))
                {
                    done.Count(action);
                }
            }

            foreach (var upload in uploads)
            {
                done.Aborted += ObjectService.AbortExpiredUpload(writer, bucket.Id, upload.UploadId) ? 1 : 0;
            }

            WriteState(writer, bucket.Id, renewed, now);
            return done;
        }, cancellationToken);
        counts.Add(applied);
        return renewed;
    }

    /// <summary>Up to a batch of keys after the cursor, each with all its versions (newest first), from a snapshot of its own.</summary>
    private List<List<ObjectVersionRecord>> NextVersions(long bucketId, (string From, bool Inclusive) start, string? to, VersionDetail detail)
    {
        using var reader = engine.Metadata.OpenSnapshot();
        var batch = new List<List<ObjectVersionRecord>>();
        foreach (var version in reader.Versions.ScanVersions(bucketId, start.From, start.Inclusive, null, to, detail))
        {
            if (batch.Count == 0 || batch[^1][0].Key != version.Key)
            {
                if (batch.Count == options.BatchKeys)
                {
                    break;
                }

                batch.Add([]);
            }

            batch[^1].Add(version);
        }

        return batch;
    }

    /// <summary>The uploads of up to a batch of keys after the cursor, every upload of a key in the same batch.</summary>
    private List<MultipartUploadRecord> NextUploads(long bucketId, string from, LifecycleState state, string? to)
    {
        using var reader = engine.Metadata.OpenSnapshot();
        var (start, inclusive) = Start(from, state.Cursor);
        var batch = new List<MultipartUploadRecord>();
        foreach (var upload in reader.Uploads.Scan(bucketId, start, inclusive, null, to))
        {
            if (batch.Count >= options.BatchKeys && batch[^1].Key != upload.Key)
            {
                break;
            }

            batch.Add(upload);
        }

        return batch;
    }

    /// <summary>Where a range's scan starts: its beginning, or past the cursor when the pass got further.</summary>
    private static (string From, bool Inclusive) Start(string from, string? cursor) =>
        cursor is not null && string.CompareOrdinal(cursor, from) >= 0 ? (cursor, false) : (from, true);

    /// <summary>
    /// The key ranges the enabled rules' prefixes cover, in order, without overlaps: the whole bucket when a rule has no
    /// prefix. A prefix inside another's range adds nothing.
    /// </summary>
    internal static IReadOnlyList<(string From, string? To)> KeyRanges(LifecycleConfiguration configuration)
    {
        var prefixes = configuration.Rules.Where(r => r.Enabled).Select(r => r.Filter.Prefix).Distinct().Order(StringComparer.Ordinal).ToList();
        var ranges = new List<(string From, string? To)>();
        foreach (var prefix in prefixes)
        {
            if (ranges.Count > 0 && prefix.StartsWith(ranges[^1].From, StringComparison.Ordinal))
            {
                continue;
            }

            ranges.Add((prefix, Objects.DelimitedListing.UpperBound(prefix)));
        }

        return ranges;
    }

    private static bool HasVersionAction(LifecycleRule rule) =>
        rule.Enabled && (rule.Expiration is not null || rule.NoncurrentVersionExpiration is not null
            || rule.Transitions.Count > 0 || rule.NoncurrentVersionTransitions.Count > 0);

    /// <summary>Fails the transaction when another node took the pass over (this one's lease ran out).</summary>
    private void CheckLease(IMetadataTransaction writer, long bucketId, DateTimeOffset now)
    {
        if (ReadState(writer, bucketId) is not { } state || state.LeaseOwner != options.Owner)
        {
            throw new LifecycleLeaseLostException($"Another node took over the lifecycle pass of bucket {bucketId} at {now:O}.");
        }
    }

    private static LifecycleState? ReadState(IMetadataView reader, long bucketId) =>
        reader.Configs.Get(bucketId, StateKind, "") is { } stored ? BucketSettings.Decode<LifecycleState>(stored.Body) : null;

    private static void WriteState(IMetadataTransaction writer, long bucketId, LifecycleState state, DateTimeOffset now) =>
        writer.Configs.Put(bucketId, StateKind, "", BucketSettings.Encode(state), now);

    private sealed class Counts
    {
        public long Keys { get; set; }

        public long Expired { get; set; }

        public long Deleted { get; set; }

        public long Aborted { get; set; }

        public long Transitioned { get; set; }

        public void Count(LifecycleAction action)
        {
            switch (action.Kind)
            {
                case LifecycleActionKind.ExpireCurrent:
                    Expired++;
                    break;
                case LifecycleActionKind.Transition:
                    Transitioned++;
                    break;
                default:
                    Deleted++;
                    break;
            }
        }

        public void Add(Counts other)
        {
            Expired += other.Expired;
            Deleted += other.Deleted;
            Aborted += other.Aborted;
            Transitioned += other.Transitioned;
        }
    }
}

/// <summary>
/// A bucket's lifecycle progress and lease. <see cref="PassAt"/> is set while a pass is under way (the instant its rules
/// are evaluated at), with the key it got to; once it ends, when it ran and the configuration it ran with.
/// </summary>
internal sealed record LifecycleState
{
    public DateTimeOffset? PassAt { get; init; }

    /// <summary>The configuration's last change the pass under way runs with.</summary>
    public DateTimeOffset? ConfigAt { get; init; }

    public string? Cursor { get; init; }

    /// <summary>The pass has done the versions and is at the multipart uploads.</summary>
    public bool UploadsPhase { get; init; }

    public DateTimeOffset? CompletedPassAt { get; init; }

    public DateTimeOffset? CompletedConfigAt { get; init; }

    public string? LeaseOwner { get; init; }

    public DateTimeOffset? LeaseExpires { get; init; }
}

/// <summary>A pass stopped because its lease ran out and another node took the bucket's pass over.</summary>
public sealed class LifecycleLeaseLostException(string message) : Exception(message);
