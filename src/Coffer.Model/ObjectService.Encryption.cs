using Coffer.Common;
using Coffer.Model.Access;
using Coffer.Model.Buckets;
using Coffer.Model.Objects;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model;

/// <summary>Encryption at rest: which new objects are encrypted, and buckets' default encryption (PUT / GET / DELETE Bucket encryption).</summary>
public sealed partial class ObjectService
{
    public Task PutBucketEncryptionAsync(string bucket, BucketEncryption encryption, CancellationToken cancellationToken = default)
    {
        // Validated like a request header: the same algorithms and key id rules.
        ObjectEncryption.From(encryption.Default.Algorithm, encryption.Default.KmsKeyId);
        var now = Now();
        return engine.Metadata.WriteAsync(
            writer => writer.Configs.Put(RequireBucket(writer, bucket).Id, BucketEncryptionCodec.Kind, BucketEncryptionCodec.ConfigId,
                BucketEncryptionCodec.Encode(encryption), now),
            cancellationToken);
    }

    public BucketEncryption GetBucketEncryption(string bucket)
    {
        using var reader = engine.Metadata.OpenSnapshot();
        return DefaultEncryption(reader, RequireBucket(reader, bucket))
            ?? throw new CofferException(ErrorCode.NoSuchEncryptionConfiguration, "The server side encryption configuration was not found.");
    }

    public Task DeleteBucketEncryptionAsync(string bucket, CancellationToken cancellationToken = default) =>
        engine.Metadata.WriteAsync(
            writer => writer.Configs.Delete(RequireBucket(writer, bucket).Id, BucketEncryptionCodec.Kind, BucketEncryptionCodec.ConfigId),
            cancellationToken);

    /// <summary>The encryption a new object in <paramref name="bucket"/> gets: the request's, else the bucket's default, else none.</summary>
    private ObjectEncryption? EncryptionFor(string bucket, string? algorithm, string? kmsKeyId, BucketAccessRules? rules = null)
    {
        if (rules is not null && rules.Bucket.Name == bucket && rules.TryGetConfiguration(BucketEncryptionCodec.Kind, out var body))
        {
            return ObjectEncryption.From(algorithm, kmsKeyId) ?? (body is null ? null : BucketEncryptionCodec.Decode(body).Default);
        }

        using var reader = engine.Metadata.OpenSnapshot();
        return EncryptionFor(reader, RequireBucket(reader, bucket), algorithm, kmsKeyId);
    }

    private static ObjectEncryption? EncryptionFor(IMetadataView reader, BucketRecord bucket, string? algorithm, string? kmsKeyId) =>
        ObjectEncryption.From(algorithm, kmsKeyId) ?? DefaultEncryption(reader, bucket)?.Default;

    private static BucketEncryption? DefaultEncryption(IMetadataView reader, BucketRecord bucket) =>
        reader.Configs.Get(bucket.Id, BucketEncryptionCodec.Kind, BucketEncryptionCodec.ConfigId) is { } record
            ? BucketEncryptionCodec.Decode(record.Body)
            : null;
}
