using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Model.Multipart;
using Coffer.Model.Objects;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model;

/// <summary>Multipart uploads: parts are blobs of their own; completing lists them, in order, as the object's layout.</summary>
public sealed partial class ObjectService
{
    public async Task<MultipartUploadInfo> CreateMultipartUploadAsync(CreateMultipartUploadRequest request, CancellationToken cancellationToken = default)
    {
        ObjectKey.ValidateNew(request.Key);
        ObjectTags.Validate(request.Tags);
        if (!request.Lock.IsEmpty)
        {
            CheckLockRequest(request.Lock);
        }

        var now = Now();
        var upload = await engine.Metadata.WriteAsync(writer =>
        {
            var bucket = RequireBucket(writer, request.Bucket);
            if (!request.Lock.IsEmpty && FindObjectLock(writer, bucket) is null)
            {
                throw MissingLockConfiguration();
            }

            var encryption = request.CustomerKey is { } customerKey
                ? ObjectEncryption.ForCustomer(customerKey)
                : EncryptionFor(writer, bucket, request.ServerSideEncryption, request.KmsKeyId);
            var record = new MultipartUploadRecord
            {
                BucketId = bucket.Id,
                UploadId = NewUploadId(now),
                Key = request.Key,
                InitiatedAt = now,
                ContentType = request.ContentType,
                StorageClass = request.StorageClass,
                UserMetadata = request.UserMetadata,
                Headers = request.Lock.IsEmpty ? request.Headers : [.. request.Headers, .. UploadLockHeaders(request.Lock)],
                Tags = request.Tags,
                Encryption = encryption?.Algorithm,
                KmsKeyId = encryption?.KmsKeyId,
                ChecksumAlgorithm = request.ChecksumAlgorithm,
                ChecksumType = request.ChecksumAlgorithm is { } algorithm ? request.ChecksumType ?? MultipartChecksum.DefaultType(algorithm) : null,
                Initiator = request.Initiator,
                Acl = request.Acl,
            };
            writer.Uploads.Insert(record);
            return record;
        }, cancellationToken);
        return ToInfo(request.Bucket, upload);
    }

    public async Task<PartInfo> UploadPartAsync(UploadPartRequest request, CancellationToken cancellationToken = default)
    {
        CheckPartNumber(request.PartNumber);

        if (request.ContentLength > MultipartLimits.MaxPartSize)
        {
            throw new CofferException(ErrorCode.EntityTooLarge, $"A part may carry at most {MultipartLimits.MaxPartSize} bytes.");
        }

        MultipartUploadRecord upload;
        using (var reader = engine.Metadata.OpenSnapshot())
        {
            upload = RequireUpload(reader, request.Bucket, request.Key, request.UploadId);
        }

        var customerKey = KeyToOpen(upload, request.CustomerKey);
        using var staged = await engine.Blobs.StageAsync(request.Body, request.ContentLength, MultipartLimits.MaxPartSize, upload.Encryption is not null,
            cancellationToken, customerKey: customerKey);
        CheckMd5(request.ContentMd5, staged);
        return await CommitPartAsync(upload, request.PartNumber, staged, PartChecksum(upload, request.ChecksumAfterBody?.Invoke()), customerKey,
            cancellationToken);
    }

    /// <summary>Makes a staged blob part <paramref name="partNumber"/> of the upload, replacing (and releasing) the part it had.</summary>
    private async Task<PartInfo> CommitPartAsync(MultipartUploadRecord upload, int partNumber, Storage.Blobs.StagedBlob staged, string? checksum,
        Storage.Encryption.CustomerKey? customerKey, CancellationToken cancellationToken)
    {
        var part = new MultipartPartRecord
        {
            Checksum = checksum,
            UploadId = upload.UploadId,
            PartNumber = partNumber,
            Size = staged.Length,
            ETag = ETagOf(staged, customerKey),
            Crc64 = staged.Crc64,
            BlobId = staged.BlobId,
            WrappedKey = staged.WrappedKey,
            LastModified = Now(),
        };
        var stored = await engine.CommitAsync(staged, writer =>
        {
            // The upload may have been completed or aborted while the part streamed in.
            var current = writer.Uploads.Get(upload.BucketId, upload.UploadId) ?? throw NoSuchUpload();
            var placed = part with { BucketId = current.BucketId };
            if (writer.Uploads.PutPart(placed) is { } replaced)
            {
                writer.ReleaseBlobs(LayoutOf(replaced));
            }

            return placed;
        }, cancellationToken);
        return ToInfo(stored) with { Encryption = EncryptionOf(upload) };
    }

    public async Task<ObjectInfo> CompleteMultipartUploadAsync(CompleteMultipartUploadRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Parts.Count == 0)
        {
            throw new CofferException(ErrorCode.MalformedXml, "You must specify at least one part.");
        }

        for (var i = 1; i < request.Parts.Count; i++)
        {
            if (request.Parts[i].PartNumber <= request.Parts[i - 1].PartNumber)
            {
                throw new CofferException(ErrorCode.InvalidPartOrder, "The list of parts was not in ascending order. Parts must be ordered by part number.");
            }
        }

        var now = Now();
        var stored = await engine.CommitAsync(null, writer =>
        {
            if (FindUpload(writer, request.Bucket, request.Key, request.UploadId) is not { } upload)
            {
                // Completed already? A client that lost the answer asks again, and gets the same answer.
                var completed = CompletedVersion(writer, request) ?? throw NoSuchUpload();
                if (request.CustomerKey is not null)
                {
                    KeyToOpen(completed, request.CustomerKey);
                }

                return completed;
            }

            CheckOptionalKey(upload, request.CustomerKey);

            CheckWrite(writer, request.Bucket, request.Key, request.Condition);
            var uploaded = writer.Uploads.ScanParts(upload.BucketId, upload.UploadId, 0).ToDictionary(p => p.PartNumber);
            var chosen = new List<MultipartPartRecord>(request.Parts.Count);
            foreach (var listed in request.Parts)
            {
                // An upload initiated without an algorithm keeps no part checksums, as S3 keeps none: the checksum each
                // part was sent with was checked then, and the SDKs list back what UploadPart answered, unchecked here.
                if (!uploaded.TryGetValue(listed.PartNumber, out var part) || !string.Equals(part.ETag, listed.ETag.Trim().Trim('"'), StringComparison.OrdinalIgnoreCase)
                    || (upload.ChecksumAlgorithm is not null && listed.Checksum is { } checksum && checksum.Trim() != part.Checksum))
                {
                    throw new CofferException(ErrorCode.InvalidPart,
                        $"Part {listed.PartNumber} could not be found, or its ETag or checksum does not match.");
                }

                chosen.Add(part);
            }

            for (var i = 0; i < chosen.Count - 1; i++)
            {
                if (chosen[i].Size < request.MinPartSize)
                {
                    throw new CofferException(ErrorCode.EntityTooSmall,
                        $"Part {chosen[i].PartNumber} has {chosen[i].Size} bytes; every part but the last needs at least {request.MinPartSize}.");
                }
            }

            var checksumHeaders = ChecksumHeaders(upload, chosen).ToArray();
            CheckExpected(request.Expected, upload, chosen, checksumHeaders);
            foreach (var unused in uploaded.Values.Except(chosen))
            {
                writer.ReleaseBlobs(LayoutOf(unused));
            }

            writer.Uploads.Delete(upload.BucketId, upload.UploadId);
            var (headers, objectLock) = SplitUploadLock(upload.Headers);
            var version = new ObjectVersionRecord
            {
                Key = upload.Key,
                VersionId = ObjectVersionRecord.NullVersionId,
                Size = chosen.Sum(p => p.Size),
                ETag = MultipartETag(chosen),
                Crc64 = CombinedCrc64(chosen),
                ContentType = upload.ContentType,
                StorageClass = upload.StorageClass,
                IsMultipartUploaded = true,
                CreatedAt = now,
                LastModified = now,
                Layout = new BlobLayout(chosen.Where(p => p.Size > 0).Select(p => new BlobSegment(p.BlobId, p.Size, p.WrappedKey)).ToArray()),
                UserMetadata = upload.UserMetadata,
                Headers = [.. headers, .. checksumHeaders],
                Tags = upload.Tags,
                Encryption = upload.Encryption,
                KmsKeyId = upload.KmsKeyId,
                UploadId = upload.UploadId,
                Acl = upload.Acl,
            };
            version = WithLock(version, objectLock);
            return AddVersion(writer, request.Bucket, version, now, Notifications.NotificationEvents.CompleteMultipartUpload);
        }, cancellationToken);
        return ToInfo(request.Bucket, stored);
    }

    /// <summary>
    /// The version an earlier completion of the upload made, when it is still there and the retry lists the same parts
    /// (its multipart ETag is the stored one); null otherwise.
    /// </summary>
    private static ObjectVersionRecord? CompletedVersion(IMetadataTransaction writer, CompleteMultipartUploadRequest request)
    {
        var bucketId = RequireBucket(writer, request.Bucket).Id;
        var etags = request.Parts.Select(p => p.ETag.Trim().Trim('"')).ToArray();
        if (etags.Any(e => e.Length != 32 || !e.All(char.IsAsciiHexDigit)))
        {
            return null;
        }

        var etag = $"{Hex.Lower(MD5.HashData(etags.SelectMany(Convert.FromHexString).ToArray()))}-{etags.Length}";
        return writer.Versions.ScanVersions(bucketId, request.Key, true, null, null, VersionDetail.All)
            .TakeWhile(v => v.Key == request.Key)
            .FirstOrDefault(v => v.UploadId == request.UploadId && v.ETag == etag);
    }

    /// <summary>
    /// The part's checksum in its upload's algorithm. An upload initiated with an algorithm needs it on every part, as
    /// its composite checksum is made of them.
    /// </summary>
    private static string? PartChecksum(MultipartUploadRecord upload, KeyValuePair<string, string>? verified)
    {
        if (upload.ChecksumAlgorithm is not { } algorithm)
        {
            return null;
        }

        var expected = MultipartChecksum.HeaderName(algorithm);
        return verified switch
        {
            null => throw new CofferException(ErrorCode.InvalidRequest,
                $"The upload was initiated with the {algorithm} checksum: every part must carry {expected}."),
            { Key: var name } when name != expected => throw new CofferException(ErrorCode.InvalidRequest,
                $"Checksum Type mismatch occurred, expected checksum Type: {algorithm.ToLowerInvariant()}, actual checksum Type: {name["x-amz-checksum-".Length..]}"),
            { Value: var value } => value,
        };
    }

    /// <summary>
    /// The checksum of an object completed from an upload initiated with an algorithm, and its type, stored as PutObject
    /// stores a flexible checksum (returned with <c>x-amz-checksum-mode: ENABLED</c>), and its parts' checksums
    /// (<see cref="MultipartChecksum.PartsHeader"/>).
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string>> ChecksumHeaders(MultipartUploadRecord upload, IReadOnlyList<MultipartPartRecord> parts)
    {
        if (upload.ChecksumAlgorithm is not { } algorithm || parts.Any(p => p.Checksum is null))
        {
            return [];
        }

        var type = upload.ChecksumType ?? MultipartChecksum.DefaultType(algorithm);
        var value = MultipartChecksum.Of(algorithm, type, parts.Select(p => (p.Checksum!, p.Size)).ToArray());
        return [new(MultipartChecksum.HeaderName(algorithm), value), new(MultipartChecksum.TypeHeader, type),
            new(MultipartChecksum.PartsHeader, string.Join(' ', parts.Select(p => p.Checksum)))];
    }

    /// <summary>The object the parts make against what the client expects of it, as S3 checks a completion.</summary>
    private static void CheckExpected(ExpectedObject expected, MultipartUploadRecord upload, IReadOnlyList<MultipartPartRecord> parts,
        IReadOnlyList<KeyValuePair<string, string>> checksumHeaders)
    {
        if (expected.Size is { } size && size != parts.Sum(p => p.Size))
        {
            throw new CofferException(ErrorCode.InvalidRequest, $"x-amz-mp-object-size is {size}; the parts make {parts.Sum(p => p.Size)} bytes.");
        }

        var type = upload.ChecksumAlgorithm is { } algorithm ? upload.ChecksumType ?? MultipartChecksum.DefaultType(algorithm) : null;
        // An upload without an algorithm is a full-object one to S3 (it gives the object a CRC64NVME), so FULL_OBJECT fits it.
        if (expected.ChecksumType is { } expectedType && !string.Equals(expectedType.Trim(), type ?? MultipartChecksum.FullObject, StringComparison.OrdinalIgnoreCase))
        {
            throw new CofferException(ErrorCode.BadDigest,
                $"x-amz-checksum-type is {expectedType}; the upload's checksum type is {type ?? "none"}.");
        }

        if (expected.ChecksumHeader is not { } header)
        {
            return;
        }

        // Only the upload's own algorithm can be checked: its parts carry no other.
        var actual = checksumHeaders.Where(h => h.Key == header).Select(h => h.Value).FirstOrDefault()
            ?? throw new CofferException(ErrorCode.InvalidRequest,
                $"{header} names a checksum the upload was not initiated with ({upload.ChecksumAlgorithm ?? "none"}).");
        // A composite checksum is written with its part count (<base64>-<parts>); a client may leave the count off.
        var given = expected.Checksum?.Trim();
        if (given != actual && (type != MultipartChecksum.Composite || given + "-" + parts.Count != actual))
        {
            throw new CofferException(ErrorCode.BadDigest,
                $"The {upload.ChecksumAlgorithm} you specified did not match the calculated checksum.");
        }
    }

    public Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken = default) =>
        engine.CommitAsync(null, writer =>
        {
            var upload = RequireUpload(writer, bucket, key, uploadId);
            foreach (var part in writer.Uploads.ScanParts(upload.BucketId, uploadId, 0).ToArray())
            {
                writer.ReleaseBlobs(LayoutOf(part));
            }

            writer.Uploads.Delete(upload.BucketId, uploadId);
            return true;
        }, cancellationToken);

    public ObjectContent GetObjectPart(string bucket, string key, string? versionId, int partNumber, Storage.Encryption.CustomerKey? customerKey = null)
    {
        if (partNumber is < 1 or > MultipartLimits.MaxPartNumber)
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"Part number must be an integer between 1 and {MultipartLimits.MaxPartNumber}, inclusive.");
        }

        using var reader = engine.Metadata.OpenSnapshot();
        var version = FindVersion(reader, bucket, key, versionId);
        // A part the object does not have is answered as such before the key is checked, as in S3.
        var (offset, length, partsCount) = PartOf(version, partNumber);
        var opening = KeyToOpen(version, customerKey);
        return new ObjectContent(ToInfo(bucket, version), offset, length, engine.OpenContent(reader, version.Layout, offset, length, opening), partsCount);
    }

    public ObjectAttributes GetObjectAttributes(string bucket, string key, string? versionId, Storage.Encryption.CustomerKey? customerKey,
        bool withParts, int partNumberMarker, int maxParts)
    {
        var version = FindOpenable(bucket, key, versionId, customerKey);
        return new ObjectAttributes(ToInfo(bucket, version), withParts ? PartsPageOf(version, partNumberMarker, maxParts) : null);
    }

    /// <summary>
    /// The parts of a multipart-uploaded version after <paramref name="partNumberMarker"/>, at most <paramref name="maxParts"/>:
    /// sizes from the layout (<see cref="PartOf"/>), checksums as completion kept them.
    /// </summary>
    private static ObjectPartsPage? PartsPageOf(ObjectVersionRecord version, int partNumberMarker, int maxParts)
    {
        if (version.IsDeleteMarker || !version.IsMultipartUploaded)
        {
            return null;
        }

        var count = PartsCountOf(version);
        var checksums = MultipartChecksum.PartChecksums(version.Headers);
        var parts = Enumerable.Range(partNumberMarker + 1, Math.Clamp(count - partNumberMarker, 0, maxParts))
            .Select(number => new ObjectPart(number, PartLength(version, number),
                checksums is not null && number <= checksums.Length ? checksums[number - 1] : null))
            .ToArray();
        var truncated = parts.Length > 0 && parts[^1].PartNumber < count;
        return new ObjectPartsPage(count, MultipartChecksum.AlgorithmOf(version.Headers), parts, truncated,
            NextPartNumberMarker(parts.Select(p => p.PartNumber), partNumberMarker));
    }

    /// <summary>
    /// Where the page after this one starts: its last part, or the marker sent when it is empty (a page of max-parts 0 or
    /// past the last part), so that a client following the marker never starts over from 0.
    /// </summary>
    private static int NextPartNumberMarker(IEnumerable<int> partNumbers, int partNumberMarker) =>
        partNumbers.LastOrDefault(partNumberMarker);

    public ListPartsPage ListParts(string bucket, string key, string uploadId, int partNumberMarker, int maxParts,
        Storage.Encryption.CustomerKey? customerKey = null)
    {
        using var reader = engine.Metadata.OpenSnapshot();
        var upload = RequireUpload(reader, bucket, key, uploadId);
        CheckOptionalKey(upload, customerKey);
        var parts = reader.Uploads.ScanParts(upload.BucketId, uploadId, partNumberMarker).Take(maxParts + 1).Select(ToInfo).ToList();
        // An empty page (max-parts 0) is not truncated: a client following its marker would never get further.
        var truncated = maxParts > 0 && parts.Count > maxParts;
        if (parts.Count > maxParts)
        {
            parts.RemoveAt(parts.Count - 1);
        }

        return new ListPartsPage(ToInfo(bucket, upload), parts, truncated, NextPartNumberMarker(parts.Select(p => p.PartNumber), partNumberMarker));
    }

    public ListUploadsPage ListMultipartUploads(string bucket, ListUploadsQuery query)
    {
        using var reader = engine.Metadata.OpenSnapshot();
        var bucketId = RequireBucket(reader, bucket).Id;
        var upper = DelimitedListing.UpperBound(query.Prefix);
        var resumeInside = !string.IsNullOrEmpty(query.KeyMarker) && !string.IsNullOrEmpty(query.UploadIdMarker);
        var page = DelimitedListing.Collect(
            new ListingWindow(query.Prefix, query.Delimiter, query.KeyMarker, resumeInside, query.MaxUploads),
            (from, inclusive, first) => reader.Uploads.Scan(bucketId, from, inclusive, first && resumeInside ? query.UploadIdMarker : null, upper),
            u => u.Key);
        return new ListUploadsPage(
            page.Items.Select(u => ToInfo(bucket, u)).ToArray(),
            page.CommonPrefixes,
            page.IsTruncated,
            page.LastKey,
            page.LastItem?.UploadId);
    }

    private static void CheckPartNumber(int partNumber)
    {
        if (partNumber is < 1 or > MultipartLimits.MaxPartNumber)
        {
            throw new CofferException(ErrorCode.InvalidArgument, $"Part number must be an integer between 1 and {MultipartLimits.MaxPartNumber}, inclusive.");
        }
    }

    private static MultipartUploadRecord RequireUpload(IMetadataView reader, string bucket, string key, string uploadId) =>
        FindUpload(reader, bucket, key, uploadId) ?? throw NoSuchUpload();

    private static MultipartUploadRecord? FindUpload(IMetadataView reader, string bucket, string key, string uploadId)
    {
        var bucketId = RequireBucket(reader, bucket).Id;
        var upload = reader.Uploads.Get(bucketId, uploadId);
        return upload is not null && upload.Key == key ? upload : null;
    }

    private static CofferException NoSuchUpload() => new(ErrorCode.NoSuchUpload,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");

    /// <summary>The multipart ETag S3 and COS use: MD5 of the parts' binary MD5s, then a dash and the part count.</summary>
    private static string MultipartETag(IReadOnlyList<MultipartPartRecord> parts)
    {
        var digests = parts.SelectMany(p => Convert.FromHexString(p.ETag)).ToArray();
        return $"{Hex.Lower(MD5.HashData(digests))}-{parts.Count}";
    }

    /// <summary>
    /// Where a part lies. Completion lays a multipart object out as one segment per part, in order, except that an empty
    /// last part gets no segment; the part count is the "-N" completion wrote into the ETag. Every part but the last has
    /// at least the minimum part size, so no other part can be missing from the layout.
    /// </summary>
    private static (long Offset, long Length, int? PartsCount) PartOf(ObjectVersionRecord version, int partNumber)
    {
        if (version.IsDeleteMarker)
        {
            return (0, 0, null);
        }

        if (!version.IsMultipartUploaded)
        {
            return partNumber == 1 ? (0, version.Size, null) : throw NoSuchPart(partNumber, 1);
        }

        var count = PartsCountOf(version);
        if (partNumber > count)
        {
            throw NoSuchPart(partNumber, count);
        }

        var offset = version.Layout.Segments.Take(partNumber - 1).Sum(s => s.Length);
        return (offset, PartLength(version, partNumber), count);
    }

    /// <summary>A multipart-uploaded version's part count: the "-N" completion wrote into its ETag.</summary>
    private static int PartsCountOf(ObjectVersionRecord version)
    {
        var dash = version.ETag.LastIndexOf('-');
        return dash >= 0 && int.TryParse(version.ETag.AsSpan(dash + 1), out var parsed) ? parsed : version.Layout.Segments.Count;
    }

    /// <summary>Part <paramref name="partNumber"/>'s size: its segment's, or 0 for an empty last part, which has none.</summary>
    private static long PartLength(ObjectVersionRecord version, int partNumber) =>
        partNumber <= version.Layout.Segments.Count ? version.Layout.Segments[partNumber - 1].Length : 0;

    private static CofferException NoSuchPart(int partNumber, int count) =>
        new(ErrorCode.InvalidPartNumber, $"The requested part {partNumber} is not satisfiable: the object has {count} part{(count == 1 ? "" : "s")}.");

    private static ulong? CombinedCrc64(IReadOnlyList<MultipartPartRecord> parts)
    {
        ulong combined = 0;
        foreach (var part in parts)
        {
            if (part.Crc64 is not { } crc)
            {
                return null;
            }

            combined = Crc64.Combine(combined, crc, part.Size);
        }

        return combined;
    }

    private static BlobLayout LayoutOf(MultipartPartRecord part) =>
        part.Size == 0 ? BlobLayout.Empty : BlobLayout.Single(part.BlobId, part.Size);

    private static string NewUploadId(DateTimeOffset now) =>
        $"{now.ToUnixTimeSeconds():x}{RandomNumberGenerator.GetHexString(40, lowercase: true)}";

    private static MultipartUploadInfo ToInfo(string bucket, MultipartUploadRecord upload) =>
        new(bucket, upload.Key, upload.UploadId, upload.InitiatedAt, upload.StorageClass, EncryptionOf(upload), upload.ChecksumAlgorithm, upload.Initiator,
            upload.ChecksumType, upload.Acl);

    private static ObjectEncryption? EncryptionOf(MultipartUploadRecord upload) =>
        // An SSE-C upload's key id slot holds its key's verifier, which no answer shows.
        upload.Encryption is { } algorithm ? new ObjectEncryption(algorithm, algorithm == ObjectEncryption.Customer ? null : upload.KmsKeyId) : null;

    private static PartInfo ToInfo(MultipartPartRecord part) => new(part.PartNumber, part.Size, part.ETag, part.Crc64, part.LastModified, Checksum: part.Checksum);
}
