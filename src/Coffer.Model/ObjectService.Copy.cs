using Coffer.Common;
using Coffer.Model.Multipart;
using Coffer.Model.Objects;
using Coffer.Storage.Records;

namespace Coffer.Model;

/// <summary>
/// PUT Object - Copy: the bytes are copied into a new blob (decrypted and, when the copy is encrypted, encrypted again
/// under a new data key; inline when small, whatever the source was), so source and copy live and die independently.
/// </summary>
public sealed partial class ObjectService
{
    public Task<ObjectInfo> CopyObjectAsync(CopyObjectRequest request, CancellationToken cancellationToken = default) =>
        CopyObjectAsync(request, null, cancellationToken);

    /// <summary>As <see cref="CopyObjectAsync(CopyObjectRequest, CancellationToken)"/>, with <paramref name="alsoCommit"/> in the copy's transaction.</summary>
    internal async Task<ObjectInfo> CopyObjectAsync(CopyObjectRequest request, Action<Storage.IMetadataTransaction>? alsoCommit, CancellationToken cancellationToken)
    {
        ObjectKey.ValidateNew(request.Key);
        ObjectTags.Validate(request.Tags);
        if (!request.Lock.IsEmpty)
        {
            CheckLockRequest(request.Lock);
        }

        var encryption = request.CustomerKey is { } customerKey
            ? ObjectEncryption.ForCustomer(customerKey)
            : EncryptionFor(request.Bucket, request.ServerSideEncryption, request.KmsKeyId);
        ObjectVersionRecord source;
        Func<Stream> openSource;
        using (var reader = engine.Metadata.OpenSnapshot())
        {
            source = FindVersion(reader, request.SourceBucket, request.SourceKey, request.SourceVersionId);
            openSource = engine.OpenContent(reader, source.Layout, 0, source.Size, KeyToOpen(source, request.SourceCustomerKey));
            if (!request.Condition.IsEmpty)
            {
                // Checked early so a doomed copy reads nothing, and again in the commit, where it counts.
                CheckWrite(reader, request.Bucket, request.Key, request.Condition);
            }
        }

        CheckCopySource(source, request.SourceVersionId, request.SourceCondition, request.SourceBucket);
        if (source.Size > MaxSinglePutSize)
        {
            throw new CofferException(ErrorCode.InvalidRequest,
                $"The specified copy source is larger than the maximum allowable size for a copy source: {MaxSinglePutSize}; copy it in parts (UploadPartCopy).");
        }

        // Copying an object onto itself is how a client changes its metadata, storage class, encryption, website redirect or
        // checksum; it must change one. An SSE-C object copied without a new key loses its customer key: a change of encryption.
        var redirect = request.Headers.Where(h => h.Key == CopyObjectRequest.WebsiteRedirectHeader).ToArray();
        var toItself = request.SourceBucket == request.Bucket && request.SourceKey == request.Key && source.IsLatest;
        if (toItself && !request.ReplaceMetadata && request.StorageClass == source.StorageClass && request.ServerSideEncryption is null
            && request.CustomerKey is null && source.Encryption != ObjectEncryption.Customer && request.ChecksumAlgorithm is null && redirect.Length == 0)
        {
            throw new CofferException(ErrorCode.InvalidRequest,
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }

        // The copy is one part: its checksum, in the algorithm asked for or the source's, is of all its bytes, computed as
        // they are copied (a multipart source's composite value could not stand for it).
        var algorithm = request.ChecksumAlgorithm ?? MultipartChecksum.AlgorithmOf(source.Headers);

        // Read the source as of this moment; a concurrent overwrite deletes its blob only after our reader has opened it.
        var (staged, checksum) = await StageCopyAsync(openSource, source.Size, encryption is not null, request.CustomerKey, algorithm, cancellationToken);
        using var stagedBlob = staged;
        // A website redirect is not copied (S3): the copy has the one its request names, if any, whatever the directive.
        var headers = request.ReplaceMetadata
            ? request.Headers
            : [.. CopiedHeaders(source).Where(h => h.Key != CopyObjectRequest.WebsiteRedirectHeader), .. redirect];
        if (algorithm is not null)
        {
            headers = [.. headers.Where(h => !MultipartChecksum.IsChecksumHeader(h.Key)), new(MultipartChecksum.HeaderName(algorithm), checksum!)];
        }

        var now = Now();
        var version = new ObjectVersionRecord
        {
            Key = request.Key,
            VersionId = ObjectVersionRecord.NullVersionId,
            Size = staged.Length,
            ETag = ETagOf(staged, request.CustomerKey),
            Crc64 = staged.Crc64,
            ContentType = request.ReplaceMetadata ? request.ContentType : source.ContentType,
            StorageClass = request.StorageClass,
            CreatedAt = now,
            LastModified = now,
            Layout = LayoutOf(staged),
            UserMetadata = request.ReplaceMetadata ? request.UserMetadata : source.UserMetadata,
            Headers = headers,
            Tags = request.ReplaceTags ? request.Tags : source.Tags,
            Encryption = encryption?.Algorithm,
            KmsKeyId = encryption?.KmsKeyId,
            Acl = request.Acl,
        };
        version = WithLock(version, request.Lock);
        var stored = await engine.CommitAsync(staged, writer =>
        {
            if (!request.Condition.IsEmpty)
            {
                CheckWrite(writer, request.Bucket, request.Key, request.Condition);
            }

            alsoCommit?.Invoke(writer);
            return AddVersion(writer, request.Bucket, version, now, Notifications.NotificationEvents.Copy);
        }, cancellationToken);
        return ToInfo(request.Bucket, stored);
    }

    public async Task<CopiedPart> UploadPartCopyAsync(UploadPartCopyRequest request, CancellationToken cancellationToken = default)
    {
        CheckPartNumber(request.PartNumber);
        MultipartUploadRecord upload;
        ObjectVersionRecord source;
        long length;
        Func<Stream> open;
        Storage.Encryption.CustomerKey? uploadKey;
        using (var reader = engine.Metadata.OpenSnapshot())
        {
            upload = RequireUpload(reader, request.Bucket, request.Key, request.UploadId);
            uploadKey = KeyToOpen(upload, request.CustomerKey);
            source = FindVersion(reader, request.SourceBucket, request.SourceKey, request.SourceVersionId);
            var sourceKey = KeyToOpen(source, request.SourceCustomerKey);
            CheckCopySource(source, request.SourceVersionId, request.SourceCondition, request.SourceBucket);
            (var offset, length) = CopyRange(source, request.SourceRange);
            // An inline source is read in the snapshot that found it; a file source is opened below, and a concurrent
            // overwrite deletes its blobs only after our reader has opened them.
            open = engine.OpenContent(reader, source.Layout, offset, length, sourceKey);
        }

        await using var bytes = open();
        await using var checksummed = upload.ChecksumAlgorithm is { } algorithm ? new PartChecksumStream(bytes, algorithm) : null;
        using var staged = await engine.Blobs.StageAsync(checksummed ?? bytes, length, MultipartLimits.MaxPartSize, upload.Encryption is not null,
            cancellationToken, customerKey: uploadKey);
        var part = await CommitPartAsync(upload, request.PartNumber, staged, checksummed?.Value(), uploadKey, cancellationToken);
        return new CopiedPart(part, source.VersionId, upload.ChecksumAlgorithm);
    }

    /// <summary>The offset and length of the bytes a part copy takes from its source: the range asked for, or all of it.</summary>
    private static (long Offset, long Length) CopyRange(ObjectVersionRecord source, (long First, long Last)? range)
    {
        var (offset, length) = range is var (first, last)
            ? last < source.Size
                ? (first, last - first + 1)
                : throw new CofferException(ErrorCode.InvalidRange,
                    $"The range bytes={first}-{last} is not within the source object's {source.Size} bytes.")
            : (0, source.Size);
        if (length > MultipartLimits.MaxPartSize)
        {
            throw new CofferException(ErrorCode.InvalidRequest,
                $"The specified copy source is larger than the maximum allowable size for a copy source: {MultipartLimits.MaxPartSize}");
        }

        return (offset, length);
    }

    /// <summary>
    /// A copy's source must be an object (a delete marker named by version is InvalidRequest, one on top NoSuchKey) whose
    /// copy-source conditions hold.
    /// </summary>
    private static void CheckCopySource(ObjectVersionRecord source, string? versionId, Preconditions condition, string bucket)
    {
        if (source.IsDeleteMarker)
        {
            throw versionId is null
                ? new CofferException(ErrorCode.NoSuchKey, "The specified key does not exist.")
                : new CofferException(ErrorCode.InvalidRequest, "The source of a copy request may not specifically refer to a delete marker by version id.");
        }

        if (condition.Evaluate(ToInfo(bucket, source)) != PreconditionOutcome.Proceed)
        {
            throw new CofferException(ErrorCode.PreconditionFailed, "A copy-source condition did not hold.");
        }
    }

    /// <summary>A source's stored headers, less the composite checksum and part checksums of a multipart source: the copy is one part.</summary>
    private static IReadOnlyList<KeyValuePair<string, string>> CopiedHeaders(ObjectVersionRecord source) =>
        source.IsMultipartUploaded
            ? source.Headers.Where(h => !MultipartChecksum.IsChecksumHeader(h.Key)).ToArray()
            : source.Headers;

    /// <summary>The copy's bytes staged, and their checksum in <paramref name="algorithm"/> (computed as they are read) when one is named.</summary>
    private async Task<(Storage.Blobs.StagedBlob Staged, string? Checksum)> StageCopyAsync(Func<Stream> openSource, long size, bool encrypt,
        Storage.Encryption.CustomerKey? customerKey, string? algorithm, CancellationToken cancellationToken)
    {
        await using var bytes = openSource();
        await using var checksummed = algorithm is null ? null : new PartChecksumStream(bytes, algorithm);
        var staged = await engine.Blobs.StageAsync(checksummed ?? bytes, size, MaxSinglePutSize, encrypt, cancellationToken, inline: true, customerKey);
        return (staged, checksummed?.Value());
    }
}
