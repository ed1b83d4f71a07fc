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

        // The sections added for encryption are trailing: an empty key section and a null key id, one byte each.
        record.AsSpan(record.Length - 2).ToArray().Should().Equal(0, 0);
        var old = VersionRecordCodec.Decode(Identity, record.AsSpan(0, record.Length - 2), VersionDetail.All);
        old.Layout.Segments.Should().Equal(new BlobSegment("0123456789abcdef", 10));
        old.Tags.Should().Equal(version.Tags);
        old.KmsKeyId.Should().BeNull();
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
