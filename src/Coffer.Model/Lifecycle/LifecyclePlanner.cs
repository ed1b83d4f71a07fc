using Coffer.Common;
using Coffer.Common.Lifecycle;
using Coffer.Storage.Records;

namespace Coffer.Model.Lifecycle;

/// <summary>What a lifecycle pass does to one version: expire the current one, or delete a version.</summary>
internal enum LifecycleActionKind
{
    /// <summary>The current version expires: a delete marker goes on top (or, unversioned, the object goes).</summary>
    ExpireCurrent,

    /// <summary>A noncurrent version is deleted for good, or a delete marker left with no versions is removed.</summary>
    DeleteVersion,

    /// <summary>A version's storage class changes in place (its bytes and ETag stay).</summary>
    Transition,
}

/// <param name="StorageClass">The class a <see cref="LifecycleActionKind.Transition"/> moves the version to.</param>
internal sealed record LifecycleAction(LifecycleActionKind Kind, string Key, string VersionId, long Sequence, string? StorageClass = null);

/// <summary>
/// Decides, for the versions of one key as of one instant, what the enabled rules do: S3's semantics. Current versions
/// expire <c>Days</c> after they were written (rounded up to midnight UTC) or on <c>Date</c>; noncurrent versions go
/// <c>NoncurrentDays</c> after the next version replaced them, keeping the <c>NewerNoncurrentVersions</c> newest; a
/// delete marker that is all a key has left goes when a rule says <c>ExpiredObjectDeleteMarker</c>. A version that is
/// not deleted moves to the coldest class a due transition names, when that is colder than its own (S3 never moves one
/// back to a warmer class); a version due for expiration is expired, not moved. Locked versions are left to the
/// caller, which skips them for deletions (a transition deletes nothing).
/// </summary>
internal static class LifecyclePlanner
{
    /// <param name="versions">Every version of one key, newest first.</param>
    public static void Plan(LifecycleConfiguration configuration, IReadOnlyList<ObjectVersionRecord> versions, DateTimeOffset now, List<LifecycleAction> actions)
    {
        if (versions.Count == 0)
        {
            return;
        }

        var key = versions[0].Key;
        var current = versions[0];
        if (current.IsLatest && !current.IsDeleteMarker)
        {
            PlanCurrent(configuration, current, now, actions);
        }
        else if (current.IsDeleteMarker && versions.Count == 1 && configuration.Rules.Any(r => r.Enabled
                     && r.Expiration is { ExpiredObjectDeleteMarker: true } && r.Filter.Matches(key, [], 0)))
        {
            actions.Add(new LifecycleAction(LifecycleActionKind.DeleteVersion, key, current.VersionId, current.Sequence));
        }

        var noncurrentRank = 0;
        for (var i = 1; i < versions.Count; i++)
        {
            var version = versions[i];
            if (version.IsDeleteMarker)
            {
                continue;
            }

            PlanNoncurrent(configuration, version, versions[i - 1].CreatedAt, noncurrentRank++, now, actions);
        }
    }

    private static void PlanCurrent(LifecycleConfiguration configuration, ObjectVersionRecord current, DateTimeOffset now, List<LifecycleAction> actions)
    {
        var matching = configuration.Rules.Where(rule => rule.Enabled && rule.Filter.Matches(current.Key, current.Tags, current.Size)).ToArray();
        if (matching.Any(rule => rule.Expiration is { } expiration && Due(expiration.Days, expiration.Date, current.CreatedAt, now)))
        {
            actions.Add(new LifecycleAction(LifecycleActionKind.ExpireCurrent, current.Key, current.VersionId, current.Sequence));
            return;
        }

        var due = matching.SelectMany(rule => rule.Transitions).Where(t => Due(t.Days, t.Date, current.CreatedAt, now)).Select(t => t.StorageClass);
        AddTransition(current, due, actions);
    }

    /// <summary>Moves the version to the coldest of the due classes, when that is colder than where it is.</summary>
    private static void AddTransition(ObjectVersionRecord version, IEnumerable<string> dueClasses, List<LifecycleAction> actions)
    {
        var coldest = dueClasses.MaxBy(StorageClass.Coldness);
        if (coldest is not null && StorageClass.Coldness(coldest) > StorageClass.Coldness(version.StorageClass))
        {
            actions.Add(new LifecycleAction(LifecycleActionKind.Transition, version.Key, version.VersionId, version.Sequence, coldest));
        }
    }

    /// <param name="noncurrentSince">When the version became noncurrent: when the version above it was written.</param>
    /// <param name="rank">How many noncurrent versions of the key are newer than this one.</param>
    private static void PlanNoncurrent(LifecycleConfiguration configuration, ObjectVersionRecord version, DateTimeOffset noncurrentSince, int rank,
        DateTimeOffset now, List<LifecycleAction> actions)
    {
        var matching = configuration.Rules.Where(rule => rule.Enabled && rule.Filter.Matches(version.Key, version.Tags, version.Size)).ToArray();
        if (matching.Any(rule => rule.NoncurrentVersionExpiration is { } expiration
                && Applies(expiration.NewerNoncurrentVersions, expiration.NoncurrentDays, noncurrentSince, rank, now)))
        {
            actions.Add(new LifecycleAction(LifecycleActionKind.DeleteVersion, version.Key, version.VersionId, version.Sequence));
            return;
        }

        var due = matching.SelectMany(rule => rule.NoncurrentVersionTransitions)
            .Where(t => Applies(t.NewerNoncurrentVersions, t.NoncurrentDays, noncurrentSince, rank, now)).Select(t => t.StorageClass);
        AddTransition(version, due, actions);
    }

    private static bool Applies(int? newerNoncurrentVersions, int noncurrentDays, DateTimeOffset noncurrentSince, int rank, DateTimeOffset now) =>
        rank >= (newerNoncurrentVersions ?? 0) && now >= LifecycleConfiguration.DueAfter(noncurrentSince, noncurrentDays);

    private static bool Due(int? days, DateTimeOffset? date, DateTimeOffset createdAt, DateTimeOffset now) =>
        days is { } d ? now >= LifecycleConfiguration.DueAfter(createdAt, d) : date is { } on && now >= on;
}
