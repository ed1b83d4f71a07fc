using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Coffer.Common;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model.Notifications;

/// <summary>
/// Event notifications: the buckets' notification configurations, and the events of a change queued in the outbox in the
/// change's own transaction, one per matching rule, so an event is never lost once its change committed. Each target's
/// queue is bounded: past its limit, new events for it are dropped and counted. The limit is checked against the queue's
/// length as last counted (<see cref="RecountAsync"/>) plus what this process queued since, so one process that has
/// counted never passes it (on PostgreSQL, unless the count gave up waiting for the outbox's lock), and nodes sharing a
/// database may together pass it by what the others queue between two counts.
/// </summary>
public sealed class ObjectEvents(IMetadataStore metadata, IReadOnlyList<NotificationTarget> targets, TimeProvider time)
{
    public const string Kind = "notification";
    private const string ConfigId = "default";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Dictionary<string, NotificationTarget> _targets = targets.ToDictionary(t => t.Arn, StringComparer.Ordinal);
    private readonly Dictionary<string, QueueCount> _queues = targets.ToDictionary(t => t.Id, _ => new QueueCount(), StringComparer.Ordinal);
    private readonly Lock _queuesLock = new();
    private readonly ConcurrentDictionary<string, long> _dropped = new(StringComparer.Ordinal);

    /// <summary>The last configuration read and its parsed form: most writes find the same bytes again.</summary>
    private CachedConfiguration? _cache;

    public IReadOnlyList<NotificationTarget> Targets { get; } = targets;

    /// <summary>Events dropped per target because its queue was full, since this process started.</summary>
    public IReadOnlyDictionary<string, long> Dropped => _dropped;

    public Task PutAsync(string bucket, NotificationConfiguration configuration, CancellationToken cancellationToken = default)
    {
        Validate(configuration);
        var now = time.GetUtcNow();
        return metadata.WriteAsync(writer =>
        {
            var source = RequireBucket(writer, bucket);
            if (configuration.Rules.Count == 0)
            {
                return writer.Configs.Delete(source.Id, Kind, ConfigId);
            }

            writer.Configs.Put(source.Id, Kind, ConfigId, JsonSerializer.SerializeToUtf8Bytes(configuration, Options), now);
            return true;
        }, cancellationToken);
    }

    public NotificationConfiguration Get(string bucket)
    {
        using var reader = metadata.OpenSnapshot();
        return Read(reader, RequireBucket(reader, bucket).Id);
    }

    /// <summary>Queues, in <paramref name="writer"/>'s transaction, the events a change of <paramref name="version"/> makes.</summary>
    public void Record(IMetadataTransaction writer, BucketRecord bucket, string eventName, ObjectVersionRecord version)
    {
        var rules = Read(writer, bucket.Id).Rules;
        if (rules.Count == 0)
        {
            return;
        }

        Queue(writer, rules, new EventDetails
        {
            EventName = eventName,
            Time = time.GetUtcNow(),
            Region = bucket.Region,
            Bucket = bucket.Name,
            BucketOwner = bucket.OwnerAppId,
            Key = version.Key,
            Size = version.IsDeleteMarker || eventName.StartsWith("s3:ObjectRemoved", StringComparison.Ordinal) ? null : version.Size,
            ETag = version.IsDeleteMarker || eventName.StartsWith("s3:ObjectRemoved", StringComparison.Ordinal) ? null : version.ETag,
            VersionId = version.VersionId == ObjectVersionRecord.NullVersionId ? null : version.VersionId,
            Sequencer = version.Sequence.ToString("X16", CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Whether the bucket has notification rules: many changes to one bucket in one transaction ask once.</summary>
    public bool HasRules(IMetadataView reader, long bucketId) => Read(reader, bucketId).Rules.Count > 0;

    /// <summary>Queues, in <paramref name="writer"/>'s transaction, the event of an inventory report that landed.</summary>
    public void RecordInventory(IMetadataTransaction writer, BucketRecord source, EventDetails details)
    {
        var rules = Read(writer, source.Id).Rules;
        if (rules.Count > 0)
        {
            Queue(writer, rules, details);
        }
    }

    /// <summary>
    /// Counts every target's queue in the store and goes on from there. The count is taken in a write transaction that
    /// no other enqueue runs beside, and taken in as part of it: an event queued before the count is in it, one queued
    /// after it is added on top, so none is forgotten and the limit holds.
    /// </summary>
    public Task RecountAsync(CancellationToken cancellationToken = default) => metadata.WriteAsync(writer =>
    {
        var stored = writer.Outbox.LockAndCountByTarget();
        lock (_queuesLock)
        {
            foreach (var (target, queue) in _queues)
            {
                // A reservation whose insert has not run yet is not in the store's count, whichever way its insert ends.
                queue.Queued = stored.GetValueOrDefault(target) + queue.Reserved;
            }
        }

        return 0;
    }, cancellationToken);

    private void Queue(IMetadataTransaction writer, IReadOnlyList<NotificationRule> rules, EventDetails details)
    {
        foreach (var rule in rules)
        {
            if (!rule.Matches(details.EventName, details.Key) || !_targets.TryGetValue(rule.TargetArn, out var target))
            {
                continue;
            }

            if (!TryReserve(target))
            {
                _dropped.AddOrUpdate(target.Id, 1, (_, n) => n + 1);
                continue;
            }

            var enqueued = false;
            try
            {
                writer.Outbox.Enqueue(new OutboxEvent
                {
                    Id = Guid.CreateVersion7().ToString("N"),
                    Target = target.Id,
                    Body = EventRecord.Write(details, rule.Id, RequestOrigin.Current),
                    QueuedAt = details.Time,
                    NextAttempt = details.Time,
                });
                enqueued = true;
            }
            finally
            {
                EndReservation(target, enqueued);
            }
        }
    }

    /// <summary>Takes a place in the target's queue for an event about to be inserted; false when the queue is full.</summary>
    private bool TryReserve(NotificationTarget target)
    {
        var queue = _queues[target.Id];
        lock (_queuesLock)
        {
            if (queue.Queued >= target.QueueLimit)
            {
                return false;
            }

            queue.Queued++;
            queue.Reserved++;
            return true;
        }
    }

    /// <summary>The insert ran (the store counts it from now on) or failed (its place is given back).</summary>
    private void EndReservation(NotificationTarget target, bool enqueued)
    {
        var queue = _queues[target.Id];
        lock (_queuesLock)
        {
            queue.Reserved--;
            if (!enqueued)
            {
                queue.Queued--;
            }
        }
    }

    private NotificationConfiguration Read(IMetadataView reader, long bucketId)
    {
        var record = reader.Configs.Get(bucketId, Kind, ConfigId);
        if (record is null)
        {
            return NotificationConfiguration.Empty;
        }

        if (_cache is { } cached && cached.Body.AsSpan().SequenceEqual(record.Body))
        {
            return cached.Parsed;
        }

        var parsed = JsonSerializer.Deserialize<NotificationConfiguration>(record.Body, Options) ?? NotificationConfiguration.Empty;
        _cache = new CachedConfiguration(record.Body, parsed);
        return parsed;
    }

    /// <summary>Known event types, targets the server has, one filter rule of each name, no two rules overlapping.</summary>
    private void Validate(NotificationConfiguration configuration)
    {
        var unknownTargets = configuration.Rules.Select(r => r.TargetArn).Where(arn => !_targets.ContainsKey(arn)).Distinct().ToArray();
        if (unknownTargets.Length > 0)
        {
            throw new CofferException(ErrorCode.InvalidArgument,
                $"Unable to validate the following destination configurations: {string.Join(", ", unknownTargets)} (the server knows {string.Join(", ", _targets.Keys.DefaultIfEmpty("no targets"))}).");
        }

        foreach (var rule in configuration.Rules)
        {
            if (rule.Events.Count == 0)
            {
                throw new CofferException(ErrorCode.InvalidArgument, $"The rule '{rule.Id}' names no event.");
            }

            if (rule.Events.FirstOrDefault(e => !NotificationEvents.Known.Contains(e)) is { } unknown)
            {
                throw new CofferException(ErrorCode.InvalidArgument, $"The event '{unknown}' is not supported for notification.");
            }
        }

        if (configuration.Rules.GroupBy(r => r.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"Two rules have the id '{twice.Key}'.");
        }

        for (var i = 0; i < configuration.Rules.Count; i++)
        {
            for (var j = i + 1; j < configuration.Rules.Count; j++)
            {
                if (Overlap(configuration.Rules[i], configuration.Rules[j]))
                {
                    throw new CofferException(ErrorCode.InvalidArgument,
                        $"Configurations overlap. Configurations on the same bucket cannot share a common event type ('{configuration.Rules[i].Id}', '{configuration.Rules[j].Id}').");
                }
            }
        }
    }

    /// <summary>As S3 decides it: rules overlap when an event type of one covers one of the other and neither filter excludes the other's keys.</summary>
    private static bool Overlap(NotificationRule a, NotificationRule b)
    {
        static bool Covers(string x, string y) => x == y || (x.EndsWith(":*", StringComparison.Ordinal) && y.StartsWith(x[..^1], StringComparison.Ordinal));
        var sharedEvent = a.Events.Any(x => b.Events.Any(y => Covers(x, y) || Covers(y, x)));
        var prefixes = a.Prefix is null || b.Prefix is null || a.Prefix.StartsWith(b.Prefix, StringComparison.Ordinal) || b.Prefix.StartsWith(a.Prefix, StringComparison.Ordinal);
        var suffixes = a.Suffix is null || b.Suffix is null || a.Suffix.EndsWith(b.Suffix, StringComparison.Ordinal) || b.Suffix.EndsWith(a.Suffix, StringComparison.Ordinal);
        return sharedEvent && prefixes && suffixes;
    }

    private sealed record CachedConfiguration(byte[] Body, NotificationConfiguration Parsed);

    /// <summary>A target's queue as this process knows it; under <see cref="_queuesLock"/>.</summary>
    private sealed class QueueCount
    {
        /// <summary>The store's count at the last recount, plus the places this process reserved since.</summary>
        public long Queued;

        /// <summary>Places reserved whose insert has not run yet: no count in the store can see them.</summary>
        public long Reserved;
    }

    private static BucketRecord RequireBucket(IMetadataView reader, string name) =>
        reader.Buckets.Get(name) ?? throw new CofferException(ErrorCode.NoSuchBucket, "The specified bucket does not exist.");
}
