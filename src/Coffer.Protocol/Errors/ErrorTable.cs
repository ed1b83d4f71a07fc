using Coffer.Common;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Errors;

/// <summary>How an error looks on the wire: its code in each dialect, its HTTP status and its default message.</summary>
public sealed record ErrorDescriptor(string CosCode, string S3Code, int Status, string Message)
{
    public string CodeFor(Dialect dialect) => dialect == Dialect.S3 ? S3Code : CosCode;
}

/// <summary>The one error table. Every <see cref="ErrorCode"/> has exactly one row.</summary>
public static class ErrorTable
{
    private static readonly Dictionary<ErrorCode, ErrorDescriptor> Rows = new()
    {
        [ErrorCode.InternalError] = Same("InternalError", 500, "We encountered an internal error. Please try again."),
        [ErrorCode.ServiceUnavailable] = Same("ServiceUnavailable", 503, "The service is unavailable. Please retry."),
        // No code of S3's or COS's says it (MinIO answers 507 too): a status SDKs do not retry, as no retry will fit.
        [ErrorCode.InsufficientStorage] = Same("InsufficientStorage", 507, "The server's disk is full: nothing more can be stored until space is freed."),
        [ErrorCode.NotImplemented] = Same("NotImplemented", 501, "A header or query you provided implies functionality that is not implemented."),
        [ErrorCode.MethodNotAllowed] = Same("MethodNotAllowed", 405, "The specified method is not allowed against this resource."),
        [ErrorCode.InvalidArgument] = Same("InvalidArgument", 400, "Invalid Argument."),
        [ErrorCode.InvalidRequest] = Same("InvalidRequest", 400, "Invalid Request."),
        [ErrorCode.InvalidUri] = Same("InvalidURI", 400, "Couldn't parse the specified URI."),
        [ErrorCode.MalformedXml] = Same("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema."),
        [ErrorCode.MissingRequestBody] = Same("MissingRequestBodyError", 400, "Request body is empty."),
        [ErrorCode.XmlSizeLimit] = new("XMLSizeLimit", "MaxMessageLengthExceeded", 400, "Your request body is too large."),
        [ErrorCode.MissingContentLength] = Same("MissingContentLength", 411, "You must provide the Content-Length HTTP header."),
        [ErrorCode.IncompleteBody] = Same("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header."),
        [ErrorCode.EntityTooLarge] = Same("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size."),
        [ErrorCode.InvalidDigest] = Same("InvalidDigest", 400, "The Content-MD5 you specified is not valid."),
        [ErrorCode.BadDigest] = Same("BadDigest", 400, "The Content-MD5 you specified did not match what we received."),
        [ErrorCode.InvalidRange] = Same("InvalidRange", 416, "The requested range is not satisfiable."),
        [ErrorCode.InvalidPartNumber] = Same("InvalidPartNumber", 416, "The requested partnumber is not satisfiable."),
        [ErrorCode.PreconditionFailed] = Same("PreconditionFailed", 412, "At least one of the preconditions you specified did not hold."),
        [ErrorCode.FileAlreadyExists] = Same("FileAlreadyExists", 409, "The object already exists."),
        [ErrorCode.NotModified] = Same("NotModified", 304, "Not Modified."),
        [ErrorCode.KeyTooLong] = new("KeyTooLong", "KeyTooLongError", 400, "Your key is too long."),
        [ErrorCode.InvalidStorageClass] = new("InvalidArgument", "InvalidStorageClass", 400, "The storage class you specified is not valid."),
        [ErrorCode.MetadataTooLarge] = Same("MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size."),
        [ErrorCode.InvalidTag] = Same("InvalidTag", 400, "The tag provided was not a valid tag."),
        [ErrorCode.XAmzContentSha256Mismatch] = Same("XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed."),
        [ErrorCode.AuthorizationHeaderMalformed] = Same("AuthorizationHeaderMalformed", 400, "The authorization header is malformed."),
        [ErrorCode.AuthorizationQueryParametersError] = Same("AuthorizationQueryParametersError", 400, "The authorization query parameters are malformed."),
        [ErrorCode.NoSuchUpload] = Same("NoSuchUpload", 404, "The specified multipart upload does not exist."),
        [ErrorCode.InvalidPart] = Same("InvalidPart", 400, "One or more of the specified parts could not be found or did not match its entity tag."),
        [ErrorCode.InvalidPartOrder] = Same("InvalidPartOrder", 400, "The list of parts was not in ascending order."),
        [ErrorCode.EntityTooSmall] = Same("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size."),
        [ErrorCode.NoSuchVersion] = Same("NoSuchVersion", 404, "The specified version does not exist."),
        [ErrorCode.MissingSecurityHeader] = Same("MissingSecurityHeader", 400, "Your request is missing a required header."),
        [ErrorCode.NoSuchInventoryConfiguration] = new("InventoryConfigurationNotFoundError", "NoSuchConfiguration", 404, "The specified configuration does not exist."),
        [ErrorCode.TooManyConfigurations] = Same("TooManyConfigurations", 400, "You are attempting to create a new configuration but have already reached the 1,000-configuration limit."),
        [ErrorCode.DuplicateInventoryId] = Same("DuplicateInventoryId", 409, "An inventory job with this id is already queued, running, periodic, or was used today."),
        [ErrorCode.InvalidDestinationBucket] = new("InvalidArgument", "InvalidS3DestinationBucket", 400, "The destination bucket is not valid."),
        [ErrorCode.NoSuchInventoryRun] = Same("NoSuchInventoryJob", 404, "The specified inventory job does not exist."),
        [ErrorCode.MalformedPolicy] = Same("MalformedPolicy", 400, "The policy is not valid."),
        // cos-nodejs-sdk-v5 recognises NoSuchPolicy as the COS code for "no bucket policy" (getBucketPolicy).
        [ErrorCode.NoSuchBucketPolicy] = new("NoSuchPolicy", "NoSuchBucketPolicy", 404, "The bucket policy does not exist."),
        [ErrorCode.ExpiredToken] = Same("ExpiredToken", 400, "The provided token has expired."),
        [ErrorCode.InvalidToken] = Same("InvalidToken", 400, "The provided token is malformed or otherwise invalid."),
        [ErrorCode.NoSuchEncryptionConfiguration] = new("NoSuchEncryptionConfiguration", "ServerSideEncryptionConfigurationNotFoundError", 404,
            "The server side encryption configuration was not found."),
        [ErrorCode.NoSuchLifecycleConfiguration] = Same("NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist."),
        [ErrorCode.NoSuchCorsConfiguration] = Same("NoSuchCORSConfiguration", 404, "The CORS configuration does not exist."),
        [ErrorCode.NoSuchTagSet] = Same("NoSuchTagSet", 404, "The TagSet does not exist."),
        [ErrorCode.InvalidTargetBucketForLogging] = Same("InvalidTargetBucketForLogging", 400,
            "The target bucket for logging does not exist, is not owned by you, or does not have the appropriate grants for the log-delivery group."),
        // S3's own spelling of the code, which its SDKs match on.
        [ErrorCode.CrossLocationLoggingProhibited] = Same("CrossLocationLoggingProhibitted", 403,
            "Cross S3 location logging not allowed."),
        [ErrorCode.OwnershipControlsNotFound] = Same("OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found."),
        [ErrorCode.NoSuchPublicAccessBlockConfiguration] = Same("NoSuchPublicAccessBlockConfiguration", 404,
            "The public access block configuration was not found."),
        [ErrorCode.ObjectLockConfigurationNotFound] = Same("ObjectLockConfigurationNotFoundError", 404, "Object Lock configuration does not exist for this bucket."),
        [ErrorCode.NoSuchObjectLockConfiguration] = Same("NoSuchObjectLockConfiguration", 404, "The specified object does not have a ObjectLock configuration."),
        [ErrorCode.InvalidBucketState] = Same("InvalidBucketState", 409, "The request is not valid with the current state of the bucket."),
        [ErrorCode.AccessControlListNotSupported] = Same("AccessControlListNotSupported", 400, "The bucket does not allow ACLs."),
        [ErrorCode.InvalidBucketAclWithObjectOwnership] = Same("InvalidBucketAclWithObjectOwnership", 400,
            "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting."),
        [ErrorCode.MalformedAcl] = Same("MalformedACLError", 400, "The XML you provided was not well-formed or did not validate against our published schema."),
        [ErrorCode.UnresolvableGrantByEmailAddress] = Same("UnresolvableGrantByEmailAddress", 400,
            "The email address you provided does not match any account on record."),
        // S3 answers a refused preflight with this code; COS documents the same 403 for CORS checks that fail.
        [ErrorCode.CorsForbidden] = Same("AccessForbidden", 403, "CORSResponse: This CORS request is not allowed."),
        [ErrorCode.BadRequest] = Same("BadRequest", 400, "Insufficient information. Origin request header needed."),
        [ErrorCode.InvalidPolicyDocument] = Same("InvalidPolicyDocument", 400, "The content of the form does not meet the conditions specified in the policy document."),
        [ErrorCode.MalformedPostRequest] = Same("MalformedPOSTRequest", 400, "The body of your POST request is not well-formed multipart/form-data."),
        [ErrorCode.IncorrectNumberOfFilesInPostRequest] = Same("IncorrectNumberOfFilesInPostRequest", 400, "POST requires exactly one file upload per request."),
        [ErrorCode.MaxPostPreDataLengthExceeded] = Same("MaxPostPreDataLengthExceededError", 400, "Your POST request fields preceding the upload file were too large."),
        // S3 Control's modeled exceptions (what @aws-sdk/client-s3-control and botocore turn into typed errors); COS follows S3 Control.
        [ErrorCode.NoSuchBatchJob] = Same("NotFoundException", 404, "The specified job does not exist."),
        [ErrorCode.BatchJobStatusConflict] = Same("JobStatusException", 409, "The job's status does not allow this change."),
        [ErrorCode.BatchIdempotencyConflict] = Same("IdempotencyException", 409, "A job with this ClientRequestToken exists with different parameters."),
        [ErrorCode.TooManyBatchJobTags] = Same("TooManyTagsException", 400, "A job may have at most 50 tags."),
        [ErrorCode.AccessDenied] = Same("AccessDenied", 403, "Access Denied."),
        [ErrorCode.RequestExpired] = Same("AccessDenied", 403, "Request has expired"),
        [ErrorCode.RequestTimeTooSkewed] = Same("RequestTimeTooSkewed", 403, "The difference between the request time and the server's time is too large."),
        [ErrorCode.InvalidAccessKeyId] = Same("InvalidAccessKeyId", 403, "The access key Id you provided does not exist in our records."),
        [ErrorCode.SignatureDoesNotMatch] = Same("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided."),
        [ErrorCode.InvalidBucketName] = Same("InvalidBucketName", 400, "The specified bucket is not valid."),
        [ErrorCode.InvalidLocationConstraint] = Same("InvalidLocationConstraint", 400, "The specified location-constraint is not valid."),
        [ErrorCode.NoSuchBucket] = Same("NoSuchBucket", 404, "The specified bucket does not exist."),
        [ErrorCode.BucketAlreadyExists] = Same("BucketAlreadyExists", 409, "The requested bucket name is not available."),
        [ErrorCode.BucketAlreadyOwnedByYou] = Same("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it."),
        [ErrorCode.BucketNotEmpty] = Same("BucketNotEmpty", 409, "The bucket you tried to delete is not empty."),
        [ErrorCode.NoSuchKey] = Same("NoSuchKey", 404, "The specified key does not exist."),
    };

    public static ErrorDescriptor Get(ErrorCode code) => Rows[code];

    /// <summary>Every row, for tests that check the table is complete.</summary>
    public static IReadOnlyDictionary<ErrorCode, ErrorDescriptor> All => Rows;

    private static ErrorDescriptor Same(string code, int status, string message) => new(code, code, status, message);
}
