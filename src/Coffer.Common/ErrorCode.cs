namespace Coffer.Common;

/// <summary>
/// Every failure a client can see, named after the COS / S3 error it becomes. The wire code, HTTP status
/// and default message of each live in one table, <c>Coffer.Protocol.Errors.ErrorTable</c>.
/// </summary>
public enum ErrorCode
{
    InternalError,
    NotImplemented,
    MethodNotAllowed,
    InvalidArgument,
    InvalidRequest,
    InvalidUri,
    MalformedXml,
    MissingRequestBody,
    XmlSizeLimit,
    MissingContentLength,
    IncompleteBody,
    EntityTooLarge,
    InvalidDigest,
    BadDigest,
    InvalidRange,
    PreconditionFailed,
    NotModified,
    KeyTooLong,
    InvalidStorageClass,
    MetadataTooLarge,
    InvalidTag,
    XAmzContentSha256Mismatch,
    AuthorizationHeaderMalformed,
    AuthorizationQueryParametersError,
    NoSuchUpload,
    InvalidPart,
    InvalidPartOrder,
    EntityTooSmall,
    NoSuchVersion,
    MissingSecurityHeader,
    NoSuchInventoryConfiguration,
    TooManyConfigurations,
    DuplicateInventoryId,
    InvalidDestinationBucket,
    NoSuchInventoryRun,
    NoSuchEncryptionConfiguration,

    AccessDenied,
    RequestExpired,
    RequestTimeTooSkewed,
    InvalidAccessKeyId,
    SignatureDoesNotMatch,

    InvalidBucketName,
    NoSuchBucket,
    BucketAlreadyExists,
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    NoSuchKey,
}
