using Coffer.Common;
using Coffer.Model.Lifecycle;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model;

/// <summary>
/// What a lifecycle pass does inside its transactions. Each action is checked again against the version it was planned
/// for (still there, still with its sequence, still current where that matters), so a write that came in between wins,
/// and a version under object lock is never deleted (its storage class may still change).
/// </summary>
public sealed partial class ObjectService
{
    /// <summary>Applies one planned action; false when the version changed since it was planned, or is locked.</summary>
    internal bool Apply(IMetadataTransaction writer, BucketRecord bucket, LifecycleAction action, DateTimeOffset now)
    {
        switch (action.Kind)
        {
            case LifecycleActionKind.ExpireCurrent:
                if (writer.Versions.GetLatest(bucket.Id, action.Key) is not { IsDeleteMarker: false } latest || latest.Sequence != action.Sequence)
                {
                    return false;
                }

                if (bucket.Versioning == VersioningState.Unversioned && IsLocked(latest, now))
                {
                    return false;
                }

                Delete(writer, bucket.Name, new ObjectIdentifier(action.Key, null), now);
                return true;
            case LifecycleActionKind.Transition:
                // Read in full (the scan decoded a summary), so the rewritten record keeps every section.
                if (writer.Versions.Get(bucket.Id, action.Key, action.VersionId) is not { IsDeleteMarker: false } moving || moving.Sequence != action.Sequence
                    || StorageClass.Coldness(action.StorageClass!) <= StorageClass.Coldness(moving.StorageClass))
                {
                    return false;
                }

                writer.Versions.UpdateRecord(moving with { StorageClass = action.StorageClass! });
                return true;
            default:
                if (writer.Versions.Get(bucket.Id, action.Key, action.VersionId) is not { } version || version.Sequence != action.Sequence
                    || IsLocked(version, now))
                {
                    return false;
                }

                if (version.IsDeleteMarker && writer.Versions.ScanVersions(bucket.Id, action.Key, true, null, null, VersionDetail.Summary)
                        .TakeWhile(v => v.Key == action.Key).Skip(1).Any())
                {
                    // A version was written under the marker's key meanwhile: the marker is no longer all that is left.
                    return false;
                }

                DeleteVersion(writer, bucket, action.Key, action.VersionId, now, false);
                return true;
        }
    }

    /// <summary>Aborts an upload a lifecycle rule found incomplete for too long; false when it completed or went meanwhile.</summary>
    internal static bool AbortExpiredUpload(IMetadataTransaction writer, long bucketId, string uploadId)
    {
        if (writer.Uploads.Get(bucketId, uploadId) is null)
        {
            return false;
        }

        foreach (var part in writer.Uploads.ScanParts(bucketId, uploadId, 0).ToArray())
        {
            writer.ReleaseBlobs(LayoutOf(part));
        }

        writer.Uploads.Delete(bucketId, uploadId);
        return true;
    }

    /// <summary>Object lock: a version under a legal hold, or retained until after <paramref name="now"/>, cannot be deleted.</summary>
    internal static bool IsLocked(ObjectVersionRecord version, DateTimeOffset now) => version.LegalHold || version.RetainUntil > now;
}
