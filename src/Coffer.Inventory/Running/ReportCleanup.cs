using Coffer.Common;
using Coffer.Model;
using Coffer.Model.Objects;

namespace Coffer.Inventory.Running;

/// <summary>Removes report objects a run wrote, for a run that failed or an attempt that died.</summary>
internal static class ReportCleanup
{
    /// <summary>Removes one version of a report object.</summary>
    public static async Task RemoveAsync(IObjectService objects, string bucket, string key, string versionId, CancellationToken cancellationToken)
    {
        try
        {
            await objects.DeleteObjectAsync(bucket, key, versionId, cancellationToken);
        }
        catch (CofferException error) when (error.Code == ErrorCode.NoSuchBucket)
        {
            // The destination is gone, and with it everything the run wrote.
        }
    }

    /// <summary>
    /// Removes what a write of <paramref name="key"/> that an attempt started at <paramref name="attemptStarted"/> may
    /// have made: the versions of that key created since (report keys are fresh, so they are that write's).
    /// </summary>
    public static async Task RemoveUnfinishedAsync(IObjectService objects, string bucket, string key, DateTimeOffset attemptStarted,
        CancellationToken cancellationToken)
    {
        try
        {
            var versions = objects.ListObjectVersions(bucket, new ListVersionsQuery { Prefix = key, MaxKeys = 1000 }).Versions;
            foreach (var version in versions.Where(v => v.Key == key && !v.IsDeleteMarker && v.CreatedAt >= attemptStarted))
            {
                await objects.DeleteObjectAsync(bucket, version.Key, version.VersionId, cancellationToken);
            }
        }
        catch (CofferException error) when (error.Code == ErrorCode.NoSuchBucket)
        {
            // The destination is gone, and with it everything the run wrote.
        }
    }

    /// <summary>Removes every part a partition recorded: finished ones by version, the one in flight by what it may have made.</summary>
    public static async Task RemovePartitionAsync(IObjectService objects, string bucket, PartitionProgress progress, CancellationToken cancellationToken)
    {
        foreach (var part in progress.Parts)
        {
            await RemoveAsync(objects, bucket, part.Key, part.VersionId, cancellationToken);
        }

        if (progress.InFlight is { } key)
        {
            await RemoveUnfinishedAsync(objects, bucket, key, progress.AttemptStarted, cancellationToken);
        }
    }
}
