using Coffer.Common;
using Coffer.Model.Objects;
using Coffer.Storage;
using Coffer.Storage.Encryption;

namespace Coffer.Model;

/// <summary>HEAD and GET Object: by key in one read where the engine offers it, otherwise in a snapshot.</summary>
public sealed partial class ObjectService
{
    public ObjectInfo HeadObject(string bucket, string key, string? versionId = null) => ToInfo(bucket, FindForHead(bucket, key, versionId));

    public ObjectInfo HeadObject(string bucket, string key, string? versionId, CustomerKey? customerKey) =>
        ToInfo(bucket, FindOpenable(bucket, key, versionId, customerKey));

    /// <summary>The version HEAD answers, once the customer key it needs (SSE-C) is checked.</summary>
    private Storage.Records.ObjectVersionRecord FindOpenable(string bucket, string key, string? versionId, CustomerKey? customerKey)
    {
        var version = FindForHead(bucket, key, versionId);
        KeyToOpen(version, customerKey);
        return version;
    }

    private Storage.Records.ObjectVersionRecord FindForHead(string bucket, string key, string? versionId)
    {
        if (versionId is null && ReadCurrent(bucket, key, withInlineBody: false) is { } current)
        {
            return current.Version!;
        }

        using var reader = engine.Metadata.OpenSnapshot();
        return FindVersion(reader, bucket, key, versionId);
    }

    public ObjectContent GetObject(string bucket, string key, string? versionId = null, ByteRange? range = null, CustomerKey? customerKey = null)
    {
        // A body inline in several segments is not in the one read: a snapshot reads its segments.
        if (versionId is null && ReadCurrent(bucket, key, withInlineBody: true) is { } current
            && (current.InlineBody is not null || !current.Version!.Layout.HasInline))
        {
            var found = current.Version!;
            var foundKey = KeyToOpen(found, customerKey);
            var (start, count) = Resolve(found, range);
            return new ObjectContent(ToInfo(bucket, found), start, count, engine.OpenContent(found.Layout, start, count, current.InlineBody, foundKey));
        }

        using var reader = engine.Metadata.OpenSnapshot();
        var version = FindVersion(reader, bucket, key, versionId);
        var opening = KeyToOpen(version, customerKey);
        var (offset, length) = Resolve(version, range);
        return new ObjectContent(ToInfo(bucket, version), offset, length, engine.OpenContent(reader, version.Layout, offset, length, opening));
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
