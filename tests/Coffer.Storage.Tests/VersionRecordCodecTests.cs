using Coffer.Storage.Records;

namespace Coffer.Storage.Tests;

public class VersionRecordCodecTests
{
    private static readonly VersionIdentity Identity = new(1, "k", 7, "null", true, false);

    [Fact]
    public void Decode_KeepsWrappedKeysAndTheKmsKeyId()
    {
        var version = Version() with
        {
            Layout = new BlobLayout([new BlobSegment("0123456789abcdef", 10, [1, 2, 3]), new BlobSegment("fedcba9876543210", 5)]),
            Encryption = "aws:kms",
            KmsKeyId = "arn:aws:kms:us-east-1:111122223333:key/abc",
        };

        var decoded = VersionRecordCodec.Decode(Identity, VersionRecordCodec.Encode(version), VersionDetail.All);
        decoded.Layout.Segments.Select(s => (s.BlobId, s.Length)).Should().Equal(("0123456789abcdef", 10L), ("fedcba9876543210", 5L));
        decoded.Layout.Segments[0].WrappedKey.Should().Equal(1, 2, 3);
        decoded.Layout.Segments[1].WrappedKey.Should().BeNull();
        decoded.Encryption.Should().Be("aws:kms");
        decoded.KmsKeyId.Should().Be("arn:aws:kms:us-east-1:111122223333:key/abc");
    }

    [Fact]
    public void Decode_ReadsARecordWrittenBeforeTheKeySections()
    {
        var version = Version() with { Layout = BlobLayout.Single("0123456789abcdef", 10) };
        var record = VersionRecordCodec.Encode(version);

        // The sections added later are trailing: an empty key section, a null key id, a null upload id, a null ACL and an
        // empty object lock section, one byte each.
        record.AsSpan(record.Length - 5).ToArray().Should().Equal(0, 0, 0, 0, 0);
        var old = VersionRecordCodec.Decode(Identity, record.AsSpan(0, record.Length - 5), VersionDetail.All);
        old.Layout.Segments.Should().Equal(new BlobSegment("0123456789abcdef", 10));
        old.Tags.Should().Equal(version.Tags);
        old.KmsKeyId.Should().BeNull();
        old.UploadId.Should().BeNull();
        old.Acl.Should().BeNull();
    }

    [Fact]
    public void Decode_KeepsTheUploadIdAndAcl_AndReadsARecordWrittenBeforeThem()
    {
        var version = Version() with { KmsKeyId = "k-1", UploadId = "18f0c0ffee", Acl = "private" };
        var record = VersionRecordCodec.Encode(version);
        var decoded = VersionRecordCodec.Decode(Identity, record, VersionDetail.UploadId);
        (decoded.KmsKeyId, decoded.UploadId, decoded.Acl).Should().Be(("k-1", "18f0c0ffee", "private"));

        // A record of schema 3 ends with the KMS key id (then come the upload id, the ACL and the empty lock section).
        var before = VersionRecordCodec.Decode(Identity, record.AsSpan(0, record.Length - "18f0c0ffee".Length - "private".Length - 3), VersionDetail.All);
        (before.KmsKeyId, before.UploadId, before.Acl).Should().Be(("k-1", (string?)null, (string?)null));
    }

    [Fact]
    public void Decode_KeepsTheObjectLock_AndReadsARecordWrittenBeforeIt()
    {
        var until = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_123);
        var version = Version() with { Acl = "private", RetentionMode = "COMPLIANCE", RetainUntil = until, LegalHold = true };
        var record = VersionRecordCodec.Encode(version);
        var decoded = VersionRecordCodec.Decode(Identity, record, VersionDetail.Summary);
        (decoded.RetentionMode, decoded.RetainUntil, decoded.LegalHold).Should().Be(("COMPLIANCE", until, true));

        var holdOnly = VersionRecordCodec.Decode(Identity, VersionRecordCodec.Encode(Version() with { LegalHold = true }), VersionDetail.All);
        (holdOnly.RetentionMode, holdOnly.RetainUntil, holdOnly.LegalHold).Should().Be(((string?)null, (DateTimeOffset?)null, true));

        // A record of schema 4 ends with the ACL.
        var plain = VersionRecordCodec.Encode(Version() with { Acl = "private" });
        var before = VersionRecordCodec.Decode(Identity, plain.AsSpan(0, plain.Length - 1), VersionDetail.All);
        (before.Acl, before.RetentionMode, before.RetainUntil, before.LegalHold).Should().Be(("private", (string?)null, (DateTimeOffset?)null, false));
    }

    [Fact]
    public void Decode_SkipsTheUploadId_WhenNotAsked_AndReadsWhatFollowsIt()
    {
        var record = VersionRecordCodec.Encode(Version() with { UploadId = "18f0c0ffee", Acl = "private", LegalHold = true });

        var decoded = VersionRecordCodec.Decode(Identity, record, VersionDetail.Summary);

        (decoded.UploadId, decoded.Acl, decoded.LegalHold).Should().Be(((string?)null, "private", true));
    }

    [Fact]
    public void Decode_WithRepeatedStrings_GivesEqualValues_AndOneInstanceForAValueRowsShare()
    {
        var version = Version() with
        {
            ContentType = "application/octet-stream",
            StorageClass = "GLACIER_IR",
            ReplicationStatus = "COMPLETED",
            Encryption = "AES256",
            Acl = "private",
            RetentionMode = "GOVERNANCE",
            RetainUntil = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000),
        };
        var record = VersionRecordCodec.Encode(version);
        var repeated = new RepeatedStrings();

        var first = VersionRecordCodec.Decode(Identity, record, VersionDetail.All, repeated);
        var second = VersionRecordCodec.Decode(Identity, record, VersionDetail.All, repeated);

        first.Should().BeEquivalentTo(VersionRecordCodec.Decode(Identity, record, VersionDetail.All));
        second.ContentType.Should().BeSameAs(first.ContentType);
        second.StorageClass.Should().BeSameAs(first.StorageClass);
        second.Acl.Should().BeSameAs(first.Acl);
        second.RetentionMode.Should().BeSameAs(first.RetentionMode);
        second.ETag.Should().Be(first.ETag);
    }

    [Theory]
    [InlineData("STANDARD")]
    [InlineData("STANDARD_IA")]
    [InlineData("ARCHIVE")]
    [InlineData("DEEP_ARCHIVE")]
    [InlineData("INTELLIGENT_TIERING")]
    public void Decode_GivesTheSharedInstanceOfACommonStorageClass(string storageClass)
    {
        var record = VersionRecordCodec.Encode(Version() with { StorageClass = new string(storageClass.AsSpan()) });

        var decoded = VersionRecordCodec.Decode(Identity, record, VersionDetail.Summary);

        decoded.StorageClass.Should().BeSameAs(string.IsInterned(storageClass));
    }

    [Fact]
    public void RepeatedStrings_KeepsOnlyTheLastFewValues_AndStillDecodesEveryOther()
    {
        var repeated = new RepeatedStrings();
        var values = Enumerable.Range(0, 20).Select(i => $"value-{i}").ToArray();
        foreach (var value in values)
        {
            repeated.Get(System.Text.Encoding.UTF8.GetBytes(value)).Should().Be(value);
        }

        repeated.Get("value-19"u8).Should().BeSameAs(repeated.Get("value-19"u8));
        repeated.Get("é-ü"u8.ToArray()).Should().Be("é-ü");
    }

    [Fact]
    public void Encode_StartsWithTheFormatMarker_AndDecodeRefusesAFormatItDoesNotKnow()
    {
        var record = VersionRecordCodec.Encode(Version());
        record[0].Should().Be(1, "format 1");

        record[0] = 2;
        var decode = () => VersionRecordCodec.Decode(Identity, record, VersionDetail.All);
        decode.Should().Throw<InvalidDataException>().WithMessage("*format 2*");
    }

    [Fact]
    public void SingleInlineBlobId_ReadsTheIdOfABodyInOneInlineBlob_AndNothingForAnyOtherLayout()
    {
        // Every text before the layout is set, so each one is stepped over; a multi-byte length tests the 7-bit prefix.
        var full = Version() with
        {
            Crc64 = ulong.MaxValue,
            StorageClass = "STANDARD_IA",
            ContentType = "text/plain",
            ReplicationStatus = "COMPLETED",
            Encryption = "AES256",
            Size = 300_000,
        };
        var longId = new string('b', 200);

        Id(full with { Layout = BlobLayout.Single("0123456789abcdef", 300_000, [1, 2], inline: true) }).Should().Be("0123456789abcdef");
        Id(Version() with { Layout = BlobLayout.Single(longId, 10, inline: true) }).Should().Be(longId);
        Id(full with { Layout = BlobLayout.Single("0123456789abcdef", 10) }).Should().BeNull();
        Id(full with { Layout = BlobLayout.Empty }).Should().BeNull();
        Id(full with
        {
            Layout = new BlobLayout([new BlobSegment("0123456789abcdef", 5, null, true), new BlobSegment("fedcba9876543210", 5, null, true)]),
        }).Should().BeNull();
        Id(full with
        {
            Layout = new BlobLayout([new BlobSegment("0123456789abcdef", 5), new BlobSegment("fedcba9876543210", 5, null, true)]),
        }).Should().BeNull();

        static string? Id(ObjectVersionRecord version) => VersionRecordCodec.SingleInlineBlobId(VersionRecordCodec.Encode(version));
    }

    private static ObjectVersionRecord Version() => new()
    {
        Key = "k",
        VersionId = "null",
        Size = 10,
        ETag = "abc",
        Tags = [new("a", "b")],
        CreatedAt = DateTimeOffset.UnixEpoch,
        LastModified = DateTimeOffset.UnixEpoch,
    };
}
