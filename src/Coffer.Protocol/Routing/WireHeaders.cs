namespace Coffer.Protocol.Routing;

/// <summary>
/// The provider-specific header names of a dialect: COS says <c>x-cos-version-id</c> where S3 says <c>x-amz-version-id</c>.
/// Everything else about those headers is the same, so the model stores values without the prefix.
/// </summary>
public sealed class WireHeaders
{
    public static readonly WireHeaders Cos = new("x-cos-", "cos/kms", "x-cos-server-side-encryption-cos-kms-key-id");
    public static readonly WireHeaders S3 = new("x-amz-", "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id");

    private WireHeaders(string prefix, string kmsAlgorithm, string kmsKeyId)
    {
        Prefix = prefix;
        KmsAlgorithm = kmsAlgorithm;
        KmsKeyId = kmsKeyId;
    }

    public string Prefix { get; }

    public string Meta => Prefix + "meta-";

    /// <summary>The canned ACL header: <c>x-cos-acl</c> / <c>x-amz-acl</c>.</summary>
    public string Acl => Prefix + "acl";

    /// <summary>The prefix of the explicit grant headers (<c>x-cos-grant-read</c>, ...).</summary>
    public string GrantPrefix => Prefix + "grant-";

    public string VersionId => Prefix + "version-id";

    public string DeleteMarker => Prefix + "delete-marker";

    public string StorageClass => Prefix + "storage-class";

    public string Tagging => Prefix + "tagging";

    public string TaggingCount => Prefix + "tagging-count";

    public string CopySource => Prefix + "copy-source";

    public string CopySourceRange => Prefix + "copy-source-range";

    public string MetadataDirective => Prefix + "metadata-directive";

    public string TaggingDirective => Prefix + "tagging-directive";

    public string ServerSideEncryption => Prefix + "server-side-encryption";

    /// <summary>How the dialect names SSE-KMS in <see cref="ServerSideEncryption"/>: <c>cos/kms</c> or <c>aws:kms</c>.</summary>
    public string KmsAlgorithm { get; }

    /// <summary>The header with the KMS key id of an SSE-KMS object.</summary>
    public string KmsKeyId { get; }

    /// <summary>The encryption context of SSE-KMS, which Coffer does not implement.</summary>
    public string EncryptionContext => Prefix + "server-side-encryption-context";

    public string BucketRegion => Prefix + "bucket-region";

    /// <summary>How many parts a multipart object has, on a GET or HEAD of one of them.</summary>
    public string PartsCount => Prefix + "mp-parts-count";

    public static WireHeaders For(Dialect dialect) => dialect == Dialect.S3 ? S3 : Cos;
}
