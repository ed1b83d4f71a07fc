using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Coffer.Storage.Records;

/// <summary>The columns of an object version row that queries filter and order on; everything else is in its record.</summary>
public readonly record struct VersionIdentity(long BucketId, string Key, long Sequence, string VersionId, bool IsLatest, bool IsDeleteMarker);

/// <summary>
/// The attributes of an object version, packed into the one <c>record</c> column: a scan reads a row with a handful of
/// column reads instead of one per attribute, which is what makes a million-row inventory scan take well under a
/// second. Format 1: a format byte; size, CRC-64 and times; flags; short strings; then the layout, user metadata,
/// headers and tags as length-prefixed sections that a scan skips unless it asked for them. Sections added later go
/// at the end, so a record written before them still reads (as having none): the blobs' wrapped data keys, then the
/// KMS key id of an <c>aws:kms</c> object, then the multipart upload the version completed from, then the object's ACL,
/// then the object lock section (empty when the version has neither retention nor legal hold).
/// </summary>
public static class VersionRecordCodec
{
    private const byte Format1 = 1;
    private const byte HasCrc = 1;
    private const byte Multipart = 2;

    // The storage classes almost every object has; decoding returns these instances instead of new strings.
    private static readonly string[] CommonClasses = ["STANDARD", "STANDARD_IA", "ARCHIVE", "DEEP_ARCHIVE", "INTELLIGENT_TIERING"];
    private static readonly byte[][] CommonClassBytes = [.. CommonClasses.Select(Encoding.UTF8.GetBytes)];

    public static byte[] Encode(ObjectVersionRecord version)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        Byte(buffer, Format1);
        Varint(buffer, (ulong)version.Size);
        Byte(buffer, (byte)((version.Crc64 is null ? 0 : HasCrc) | (version.IsMultipartUploaded ? Multipart : 0)));
        if (version.Crc64 is { } crc)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(buffer.GetSpan(8), crc);
            buffer.Advance(8);
        }

        Varint(buffer, (ulong)version.CreatedAt.ToUnixTimeMilliseconds());
        Varint(buffer, (ulong)version.LastModified.ToUnixTimeMilliseconds());
        Text(buffer, version.ETag);
        Text(buffer, version.StorageClass);
        Text(buffer, version.ContentType);
        Text(buffer, version.ReplicationStatus);
        Text(buffer, version.Encryption);
        Section(buffer, RecordCodec.EncodeLayout(version.Layout));
        Section(buffer, RecordCodec.EncodePairs(version.UserMetadata));
        Section(buffer, RecordCodec.EncodePairs(version.Headers));
        Section(buffer, RecordCodec.EncodePairs(version.Tags));
        Section(buffer, RecordCodec.EncodeBlobKeys(version.Layout));
        Text(buffer, version.KmsKeyId);
        Text(buffer, version.UploadId);
        Text(buffer, version.Acl);
        Section(buffer, EncodeLock(version));
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// A version from its key columns and its record; the sections not in <paramref name="detail"/> stay empty.
    /// <paramref name="identity"/> carries the key columns (its attributes are ignored); see <see cref="DecodeAttributes"/>.
    /// </summary>
    public static ObjectVersionRecord Decode(in VersionIdentity identity, ReadOnlySpan<byte> record, VersionDetail detail,
        RepeatedStrings? repeated = null) =>
        ToRecord(identity, DecodeAttributes(record, detail, repeated));

    /// <summary>
    /// The attributes a record holds; the sections not in <paramref name="detail"/> stay empty, and so does the upload id.
    /// A scan passes <paramref name="repeated"/> so that values most rows share are not a new string on every row.
    /// </summary>
    public static VersionAttributes DecodeAttributes(ReadOnlySpan<byte> record, VersionDetail detail, RepeatedStrings? repeated = null)
    {
        var reader = new SpanReader(record, repeated);
        var format = reader.Byte();
        if (format != Format1)
        {
            throw new InvalidDataException($"Unknown object version record format {format}.");
        }

        var size = (long)reader.Varint();
        var flags = reader.Byte();
        ulong? crc = (flags & HasCrc) != 0 ? reader.UInt64() : null;
        var created = (long)reader.Varint();
        var modified = (long)reader.Varint();
        var etag = reader.Text() ?? "";
        var storageClass = reader.StorageClass();
        var contentType = reader.Repeated();
        var replication = reader.Repeated();
        var encryption = reader.Repeated();
        var layout = reader.Section();
        var metadata = reader.Section();
        var headers = reader.Section();
        var tags = reader.Section();
        var blobKeys = reader.AtEnd ? default : reader.Section();
        var kmsKeyId = reader.AtEnd ? null : reader.Repeated();
        var uploadId = reader.AtEnd ? null : detail.HasFlag(VersionDetail.UploadId) ? reader.Text() : reader.SkipText();
        var acl = reader.AtEnd ? null : reader.Repeated();
        var (retentionMode, retainUntil, legalHold) = reader.AtEnd ? default : DecodeLock(reader.Section(), repeated);
        return new VersionAttributes
        {
            Size = size,
            Crc64 = crc,
            IsMultipartUploaded = (flags & Multipart) != 0,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(created),
            LastModified = DateTimeOffset.FromUnixTimeMilliseconds(modified),
            ETag = etag,
            StorageClass = storageClass,
            ContentType = contentType,
            ReplicationStatus = replication,
            Encryption = encryption,
            KmsKeyId = kmsKeyId,
            UploadId = uploadId,
            Acl = acl,
            RetentionMode = retentionMode,
            RetainUntil = retainUntil,
            LegalHold = legalHold,
            Layout = detail.HasFlag(VersionDetail.Layout) ? RecordCodec.DecodeLayout(layout.ToArray(), blobKeys) : BlobLayout.Empty,
            UserMetadata = detail.HasFlag(VersionDetail.UserMetadata) ? RecordCodec.DecodePairs(metadata.ToArray()) : [],
            Headers = detail.HasFlag(VersionDetail.Headers) ? RecordCodec.DecodePairs(headers.ToArray()) : [],
            Tags = detail.HasFlag(VersionDetail.Tags) ? RecordCodec.DecodePairs(tags.ToArray()) : [],
        };
    }

    /// <summary>
    /// The id of the one inline blob that holds a version's body, read from its record without decoding the rest; null
    /// for a body in files, in several segments, or none. SQLite's one-statement object read joins the body on it.
    /// </summary>
    public static string? SingleInlineBlobId(ReadOnlySpan<byte> record)
    {
        var reader = new SpanReader(record);
        if (record.IsEmpty || reader.Byte() != Format1)
        {
            return null;
        }

        reader.Varint();
        if ((reader.Byte() & HasCrc) != 0)
        {
            reader.UInt64();
        }

        reader.Varint();
        reader.Varint();
        // The ETag, storage class, content type, replication status and encryption come before the layout.
        for (var text = 0; text < 5; text++)
        {
            reader.SkipText();
        }

        return RecordCodec.SingleInlineBlobId(reader.Section());
    }

    /// <summary>The fixed fields of <paramref name="record"/>, read in place: what a bulk reader takes without decoding the record.</summary>
    public static VersionRecordFields ReadFields(ReadOnlySpan<byte> record)
    {
        var reader = new SpanReader(record);
        var format = reader.Byte();
        if (format != Format1)
        {
            throw new InvalidDataException($"Unknown object version record format {format}.");
        }

        var size = (long)reader.Varint();
        var flags = reader.Byte();
        if ((flags & HasCrc) != 0)
        {
            reader.UInt64();
        }

        var created = (long)reader.Varint();
        var modified = (long)reader.Varint();
        var etag = reader.TextSpan(out _);
        var storageClass = reader.TextSpan(out var hasClass);
        reader.SkipText();
        var replication = reader.TextSpan(out var hasReplication);
        var encryption = reader.TextSpan(out var hasEncryption);
        return new VersionRecordFields
        {
            Size = size,
            IsMultipartUploaded = (flags & Multipart) != 0,
            CreatedAtMilliseconds = created,
            LastModifiedMilliseconds = modified,
            ETag = etag,
            StorageClass = hasClass ? storageClass : CommonClassBytes[0],
            ReplicationStatus = replication,
            HasReplicationStatus = hasReplication,
            Encryption = encryption,
            HasEncryption = hasEncryption,
        };
    }

    /// <summary>A version from its key columns and decoded attributes (a <see cref="VersionFactory{T}"/> of records).</summary>
    public static ObjectVersionRecord ToRecord(in VersionIdentity identity, in VersionAttributes attributes) => new()
    {
        BucketId = identity.BucketId,
        Key = identity.Key,
        Sequence = identity.Sequence,
        VersionId = identity.VersionId,
        IsLatest = identity.IsLatest,
        IsDeleteMarker = identity.IsDeleteMarker,
        Size = attributes.Size,
        Crc64 = attributes.Crc64,
        IsMultipartUploaded = attributes.IsMultipartUploaded,
        CreatedAt = attributes.CreatedAt,
        LastModified = attributes.LastModified,
        ETag = attributes.ETag,
        StorageClass = attributes.StorageClass,
        ContentType = attributes.ContentType,
        ReplicationStatus = attributes.ReplicationStatus,
        Encryption = attributes.Encryption,
        KmsKeyId = attributes.KmsKeyId,
        UploadId = attributes.UploadId,
        Acl = attributes.Acl,
        RetentionMode = attributes.RetentionMode,
        RetainUntil = attributes.RetainUntil,
        LegalHold = attributes.LegalHold,
        Layout = attributes.Layout,
        UserMetadata = attributes.UserMetadata,
        Headers = attributes.Headers,
        Tags = attributes.Tags,
    };

    /// <summary>The key columns of <paramref name="version"/>.</summary>
    public static VersionIdentity IdentityOf(ObjectVersionRecord version) =>
        new(version.BucketId, version.Key, version.Sequence, version.VersionId, version.IsLatest, version.IsDeleteMarker);

    /// <summary>The attributes of <paramref name="version"/>, as its record holds them.</summary>
    public static VersionAttributes AttributesOf(ObjectVersionRecord version) => new()
    {
        Size = version.Size,
        Crc64 = version.Crc64,
        IsMultipartUploaded = version.IsMultipartUploaded,
        CreatedAt = version.CreatedAt,
        LastModified = version.LastModified,
        ETag = version.ETag,
        StorageClass = version.StorageClass,
        ContentType = version.ContentType,
        ReplicationStatus = version.ReplicationStatus,
        Encryption = version.Encryption,
        KmsKeyId = version.KmsKeyId,
        UploadId = version.UploadId,
        Acl = version.Acl,
        RetentionMode = version.RetentionMode,
        RetainUntil = version.RetainUntil,
        LegalHold = version.LegalHold,
        Layout = version.Layout,
        UserMetadata = version.UserMetadata,
        Headers = version.Headers,
        Tags = version.Tags,
    };

    /// <summary>The object lock section: the retention mode, its date (milliseconds) and the legal hold; none for most versions.</summary>
    private static byte[]? EncodeLock(ObjectVersionRecord version)
    {
        if (version.RetentionMode is null && !version.LegalHold)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(32);
        Text(buffer, version.RetentionMode);
        Varint(buffer, version.RetainUntil is { } until ? (ulong)until.ToUnixTimeMilliseconds() + 1 : 0);
        Byte(buffer, version.LegalHold ? (byte)1 : (byte)0);
        return buffer.WrittenSpan.ToArray();
    }

    private static (string? Mode, DateTimeOffset? Until, bool LegalHold) DecodeLock(ReadOnlySpan<byte> section, RepeatedStrings? repeated)
    {
        if (section.IsEmpty)
        {
            return default;
        }

        var reader = new SpanReader(section, repeated);
        var mode = reader.Repeated();
        var until = reader.Varint();
        var hold = reader.Byte() != 0;
        return (mode, until == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)until - 1), hold);
    }

    private static void Byte(ArrayBufferWriter<byte> buffer, byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    private static void Varint(ArrayBufferWriter<byte> buffer, ulong value)
    {
        var span = buffer.GetSpan(10);
        var length = 0;
        while (value >= 0x80)
        {
            span[length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[length++] = (byte)value;
        buffer.Advance(length);
    }

    /// <summary>Null is length 0 with a marker bit: the varint is (byte length + 1), or 0 for null.</summary>
    private static void Text(ArrayBufferWriter<byte> buffer, string? text)
    {
        if (text is null)
        {
            Varint(buffer, 0);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(text);
        Varint(buffer, (ulong)length + 1);
        Encoding.UTF8.GetBytes(text, buffer.GetSpan(length));
        buffer.Advance(length);
    }

    private static void Section(ArrayBufferWriter<byte> buffer, byte[]? section)
    {
        Varint(buffer, (ulong)(section?.Length ?? 0));
        if (section is not null)
        {
            section.CopyTo(buffer.GetSpan(section.Length));
            buffer.Advance(section.Length);
        }
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data, RepeatedStrings? repeated = null)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private readonly RepeatedStrings? _repeated = repeated;
        private int _position;

        public readonly bool AtEnd => _position == _data.Length;

        public byte Byte() => _data[_position++];

        public ulong UInt64()
        {
            var value = BinaryPrimitives.ReadUInt64LittleEndian(_data[_position..]);
            _position += 8;
            return value;
        }

        public ulong Varint()
        {
            ulong value = 0;
            var shift = 0;
            byte b;
            do
            {
                b = _data[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);

            return value;
        }

        public string? Text()
        {
            var marker = (int)Varint();
            if (marker == 0)
            {
                return null;
            }

            var text = Encoding.UTF8.GetString(_data.Slice(_position, marker - 1));
            _position += marker - 1;
            return text;
        }

        /// <summary>A text's UTF-8 bytes in place; <paramref name="present"/> is false (and the span empty) for null.</summary>
        public ReadOnlySpan<byte> TextSpan(out bool present)
        {
            var marker = (int)Varint();
            present = marker != 0;
            if (!present)
            {
                return [];
            }

            var text = _data.Slice(_position, marker - 1);
            _position += marker - 1;
            return text;
        }

        /// <summary>A text most rows share: through the scan's <see cref="RepeatedStrings"/> when it has one.</summary>
        public string? Repeated()
        {
            if (_repeated is null)
            {
                return Text();
            }

            var marker = (int)Varint();
            if (marker == 0)
            {
                return null;
            }

            var text = _repeated.Get(_data.Slice(_position, marker - 1));
            _position += marker - 1;
            return text;
        }

        /// <summary>The storage class: one of the common ones without decoding it, else as a repeated text.</summary>
        public string StorageClass()
        {
            var marker = (int)Varint();
            if (marker == 0)
            {
                return Common.StorageClass.Standard;
            }

            var utf8 = _data.Slice(_position, marker - 1);
            _position += marker - 1;
            for (var i = 0; i < CommonClassBytes.Length; i++)
            {
                if (utf8.SequenceEqual(CommonClassBytes[i]))
                {
                    return CommonClasses[i];
                }
            }

            return _repeated?.Get(utf8) ?? Encoding.UTF8.GetString(utf8);
        }

        /// <summary>Steps over a text the caller did not ask for.</summary>
        public string? SkipText()
        {
            var marker = (int)Varint();
            _position += Math.Max(0, marker - 1);
            return null;
        }

        public ReadOnlySpan<byte> Section()
        {
            var length = (int)Varint();
            var section = _data.Slice(_position, length);
            _position += length;
            return section;
        }
    }
}
