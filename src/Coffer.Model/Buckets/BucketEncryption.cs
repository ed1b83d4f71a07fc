using System.Text.Json;
using Coffer.Model.Objects;

namespace Coffer.Model.Buckets;

/// <summary>
/// A bucket's default encryption: objects written into it without an encryption header of their own (PUT, copy,
/// multipart, inventory reports) are encrypted with <see cref="Default"/>. Objects already there stay as they are.
/// </summary>
/// <param name="BucketKeyEnabled">Kept and echoed for S3 clients; it changes nothing here (there are no KMS calls to save).</param>
public sealed record BucketEncryption(ObjectEncryption Default, bool BucketKeyEnabled = false);

/// <summary>How a bucket's default encryption is stored: JSON in an envelope with a format number.</summary>
internal static class BucketEncryptionCodec
{
    public const string Kind = "encryption";

    /// <summary>A bucket has one default encryption; this is its configuration id.</summary>
    public const string ConfigId = "default";

    private const int Format = 1;

    public static byte[] Encode(BucketEncryption encryption) =>
        JsonSerializer.SerializeToUtf8Bytes(new Envelope(Format, encryption.Default.Algorithm, encryption.Default.KmsKeyId, encryption.BucketKeyEnabled));

    public static BucketEncryption Decode(byte[] body)
    {
        var envelope = JsonSerializer.Deserialize<Envelope>(body) ?? throw new InvalidDataException("An empty bucket encryption record.");
        return envelope.Format == Format
            ? new BucketEncryption(new ObjectEncryption(envelope.Algorithm, envelope.KmsKeyId), envelope.BucketKeyEnabled)
            : throw new InvalidDataException($"Unknown bucket encryption format {envelope.Format}.");
    }

    private sealed record Envelope(int Format, string Algorithm, string? KmsKeyId, bool BucketKeyEnabled);
}
