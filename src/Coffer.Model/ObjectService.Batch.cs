using Coffer.Common;
using Coffer.Model.Batch;
using Coffer.Model.Notifications;
using Coffer.Model.Objects;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model;

/// <summary>
/// Batch tasks whose effect is metadata (tagging, deleting), applied many to one transaction together with whatever the
/// caller records in it (the chunk's progress): the effects and the record commit or roll back together, so a task is
/// never applied twice nor lost.
/// </summary>
public sealed partial class ObjectService
{
    /// <summary>
    /// Applies <paramref name="operation"/> to <paramref name="tasks"/> (those <paramref name="allowed"/> refuses fail with
    /// AccessDenied) and, in the same transaction, <paramref name="record"/> with every task's result. When
    /// <paramref name="record"/> returns null nothing is committed (the job is no longer the caller's to work on).
    /// </summary>
    public async Task<T?> ApplyBatchAsync<T>(BatchOperation operation, IReadOnlyList<BatchTask> tasks, Func<BatchTask, bool> allowed,
        Func<IMetadataTransaction, IReadOnlyList<BatchTaskResult>, T?> record, CancellationToken cancellationToken = default)
        where T : class
    {
        var now = Now();
        // Decided before the transaction, so the single writer spends its time on the changes only.
        var permitted = tasks.Select(allowed).ToArray();
        try
        {
            return await engine.CommitAsync(null, writer =>
            {
                var buckets = new Dictionary<string, BatchBucket?>(StringComparer.Ordinal);
                var results = new BatchTaskResult[tasks.Count];
                for (var i = 0; i < tasks.Count; i++)
                {
                    var task = tasks[i];
                    if (!permitted[i])
                    {
                        results[i] = Failure(ErrorCode.AccessDenied, "Access Denied. The job's creator may not do this to this object.");
                        continue;
                    }

                    if (!buckets.TryGetValue(task.Bucket, out var bucket))
                    {
                        // A bucket's notification rules are read once per chunk, not once per task.
                        bucket = writer.Buckets.Get(task.Bucket) is { } record ? new BatchBucket(record, events?.HasRules(writer, record.Id) ?? false) : null;
                        buckets[task.Bucket] = bucket;
                    }

                    results[i] = bucket is null
                        ? Failure(ErrorCode.NoSuchBucket, "The specified bucket does not exist.")
                        : Apply(writer, operation, bucket, task, now);
                }

                return record(writer, results) ?? throw new AbandonedBatchException();
            }, cancellationToken);
        }
        catch (AbandonedBatchException)
        {
            return null;
        }
    }

    /// <summary>Copies one object for a batch job, recording <paramref name="alsoCommit"/> in the copy's transaction.</summary>
    public Task<ObjectInfo> CopyForBatchAsync(CopyObjectRequest request, Action<IMetadataTransaction> alsoCommit, CancellationToken cancellationToken = default) =>
        CopyObjectAsync(request, alsoCommit, cancellationToken);

    private BatchTaskResult Apply(IMetadataTransaction writer, BatchOperation operation, BatchBucket target, BatchTask task, DateTimeOffset now)
    {
        var bucket = target.Record;
        if (CheckNames(task) is { } invalid)
        {
            return invalid;
        }

        if (operation.Kind == BatchOperationKind.DeleteObject)
        {
            try
            {
                // Refused before anything is written (a version under object lock): the task fails, the chunk goes on.
                Delete(writer, bucket.Name, new ObjectIdentifier(task.Key, task.VersionId), now);
                return BatchTaskResult.Success;
            }
            catch (CofferException error)
            {
                return Failure(error.Code, error.Message);
            }
        }

        var version = task.VersionId is null ? writer.Versions.GetLatest(bucket.Id, task.Key) : writer.Versions.Get(bucket.Id, task.Key, task.VersionId);
        if (version is null)
        {
            return task.VersionId is null
                ? Failure(ErrorCode.NoSuchKey, "The specified key does not exist.")
                : Failure(ErrorCode.NoSuchVersion, "The specified version does not exist.");
        }

        if (version.IsDeleteMarker)
        {
            return task.VersionId is null
                ? Failure(ErrorCode.NoSuchKey, "The specified key does not exist.")
                : Failure(ErrorCode.MethodNotAllowed, "A delete marker has no tags.");
        }

        var tags = operation.Kind switch
        {
            BatchOperationKind.PutObjectTagging => operation.Tags,
            BatchOperationKind.DeleteObjectTagging => [],
            _ => throw new InvalidOperationException($"{operation.Kind} is not a metadata operation."),
        };
        writer.Versions.SetTags(version, tags);
        if (target.Notifies)
        {
            events!.Record(writer, bucket, tags.Count == 0 ? NotificationEvents.TaggingDelete : NotificationEvents.TaggingPut, version);
        }

        return BatchTaskResult.Success;
    }

    private static BatchTaskResult Failure(ErrorCode code, string message) => BatchTaskResult.Failure(code, message);

    /// <summary>A task naming a key or version id no object can have fails with the error a request naming it would get.</summary>
    private static BatchTaskResult? CheckNames(BatchTask task)
    {
        try
        {
            ObjectKey.Validate(task.Key);
            if (task.VersionId is not null)
            {
                VersionIds.Validate(task.VersionId);
            }

            return null;
        }
        catch (CofferException error)
        {
            return Failure(error.Code, error.Message);
        }
    }

    /// <summary>A bucket a chunk's tasks name, and whether it has notification rules.</summary>
    private sealed record BatchBucket(BucketRecord Record, bool Notifies);

    /// <summary>Thrown inside the transaction to roll it back when the caller's record says the job is no longer its own.</summary>
    private sealed class AbandonedBatchException : Exception;
}
