using Coffer.Common;
using Coffer.Model.Objects;
using Coffer.Storage;

namespace Coffer.Model;

/// <summary>HEAD and GET Object: by key in one read where the engine offers it, otherwise in a snapshot.</summary>
public sealed partial class ObjectService
{
    public ObjectInfo HeadObject(string bucket, string key, string? versionId = null)
    {
        if (versionId is null && ReadCurrent(bucket, key, withInlineBody: false) is { } current)
        {
            return ToInfo(bucket, current.Version!);
        }

        using var reader = engine.Metadata.OpenSnapshot();
        return ToInfo(bucket, FindVersion(reader, bucket, key, versionId));
    }

    public ObjectContent GetObject(string bucket, string key, string? versionId = null, ByteRange? range = null)
    {
        // A body inline in several segments is not in the one read: a snapshot reads its segments.
        if (versionId is null && ReadCurrent(bucket, key, withInlineBody: true) is { } current
            && (current.InlineBody is not null || !current.Version!.Layout.HasInline))
        {
            var found = current.Version!;
            var (start, count) = Resolve(found, range);
            return new ObjectContent(ToInfo(bucket, found), start, count, engine.OpenContent(found.Layout, start, count, current.InlineBody));
        }

        using var reader = engine.Metadata.OpenSnapshot();
        var version = FindVersion(reader, bucket, key, versionId);
        var (offset, length) = Resolve(version, range);
        return new ObjectContent(ToInfo(bucket, version), offset, length, engine.OpenContent(reader, version.Layout, offset, length));
    }

    private static (long Offset, long Length) Resolve(Storage.Records.ObjectVersionRecord version, ByteRange? range) =>
        range is { } r && !version.IsDeleteMarker ? r.Resolve(version.Size) : (0, version.Size);

    /// <summary>
    /// The key's current version (and its inline body, when asked) in the engine's one-statement read, with the errors
    /// <see cref="FindVersion"/> gives; null when the engine has no such read.
    /// </summary>
    private CurrentObjectRead? ReadCurrent(string bucket, string key, bool withInlineBody)
    {
        ObjectKey.Validate(key);
        var found = engine.Metadata.ReadCurrentObject(bucket, key, withInlineBody);
        if (found is null)
        {
            return null;
        }

        if (found.Bucket is null)
        {
            throw new CofferException(ErrorCode.NoSuchBucket, "The specified bucket does not exist.");
        }

        return found.Version is null ? throw new CofferException(ErrorCode.NoSuchKey, "The specified key does not exist.") : found;
    }
}
