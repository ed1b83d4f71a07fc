using Coffer.Common;
using Coffer.Model.Batch;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;

namespace Coffer.Server.Handlers;

/// <summary>Batch job documents to the model and back: ARNs (S3's and COS's) to buckets and keys, operations to their parameters.</summary>
internal static class BatchMapping
{
    public static BatchJobSpec ToSpec(CreateJobDocument document, Dialect dialect, BatchCreator creator)
    {
        var (manifestBucket, manifestKey) = ObjectArn(document.Manifest.ObjectArn, dialect);
        var report = document.Report;
        var operation = document.Operation;
        return new BatchJobSpec
        {
            Dialect = dialect == Dialect.S3 ? BatchDialect.S3 : BatchDialect.Cos,
            Operation = new BatchOperation
            {
                Kind = Enum.Parse<BatchOperationKind>(operation.Name),
                Tags = operation.Name == "PutObjectTagging" ? operation.TagSet : operation.NewObjectTagging ?? [],
                TargetBucket = operation.TargetResource is { } target ? BucketArn(target, dialect) : null,
                TargetKeyPrefix = operation.TargetKeyPrefix,
                StorageClass = operation.StorageClass is { } storageClass
                    ? dialect == Dialect.S3 ? StorageClass.NormalizeS3(storageClass) : StorageClass.NormalizeCos(storageClass)
                    : null,
                ReplaceMetadata = operation.MetadataDirective switch
                {
                    null or "COPY" or "Copy" => false,
                    "REPLACE" or "Replaced" => true,
                    var other => throw new CofferException(ErrorCode.InvalidRequest, $"MetadataDirective must be COPY or REPLACE, not '{other}'."),
                },
                ContentType = operation.ContentType,
                UserMetadata = operation.UserMetadata,
                ReplaceTags = operation.NewObjectTagging is not null,
                CannedAcl = operation.CannedAccessControlList switch
                {
                    null => null,
                    "private" => "private",
                    var other => throw new CofferException(ErrorCode.NotImplemented, $"Copies with the canned ACL '{other}' are not implemented (private is)."),
                },
                ServerSideEncryption = operation.SseAlgorithm switch
                {
                    null => null,
                    "AES256" => "AES256",
                    "KMS" => "aws:kms",
                    var other => throw new CofferException(ErrorCode.InvalidRequest, $"SSEAlgorithm must be AES256 or KMS, not '{other}'."),
                },
                ChecksumAlgorithm = operation.ChecksumAlgorithm,
                RequesterPays = operation.Name == "PutObjectCopy" && operation.RequesterPays,
            },
            Manifest = new BatchManifest
            {
                Format = document.Manifest.Format,
                Fields = document.Manifest.Fields,
                Bucket = manifestBucket,
                Key = manifestKey,
                ETag = document.Manifest.ETag,
                VersionId = document.Manifest.ObjectVersionId,
            },
            Report = new BatchReport
            {
                Enabled = report.Enabled,
                Bucket = report.Bucket is { } bucket ? BucketArn(bucket, dialect) : null,
                Prefix = report.Prefix,
                Format = report.Format ?? "Report_CSV_20180820",
                Scope = report.ReportScope ?? "AllTasks",
            },
            Creator = creator,
            Description = document.Description,
            RoleArn = document.RoleArn,
            ConfirmationRequired = document.ConfirmationRequired,
        };
    }

    public static JobDocument ToDocument(BatchJob job, Dialect dialect, string region, string accountId)
    {
        var spec = job.Spec;
        var operation = spec.Operation;
        return new JobDocument
        {
            JobId = job.JobId,
            JobArn = dialect == Dialect.S3 ? $"arn:aws:s3:{region}:{accountId}:job/{job.JobId}" : $"qcs::cos:{region}:uid/{job.Account}:job/{job.JobId}",
            ConfirmationRequired = spec.ConfirmationRequired,
            Description = spec.Description,
            Status = job.Status,
            Manifest = new JobManifestDocument(spec.Manifest.Format, spec.Manifest.Fields, ArnOf(spec.Manifest.Bucket, dialect, region) + "/" + spec.Manifest.Key,
                spec.Manifest.ETag, spec.Manifest.VersionId),
            Operation = new JobOperationDocument
            {
                Name = operation.Kind.ToString(),
                TagSet = operation.Kind == BatchOperationKind.PutObjectTagging ? operation.Tags : [],
                TargetResource = operation.TargetBucket is { } target ? ArnOf(target, dialect, region) : null,
                TargetKeyPrefix = operation.TargetKeyPrefix,
                StorageClass = operation.StorageClass,
                MetadataDirective = operation.Kind == BatchOperationKind.PutObjectCopy ? operation.ReplaceMetadata ? "REPLACE" : "COPY" : null,
                NewObjectTagging = operation.ReplaceTags ? operation.Tags : null,
                CannedAccessControlList = operation.CannedAcl,
                ChecksumAlgorithm = operation.ChecksumAlgorithm,
                RequesterPays = operation.RequesterPays,
            },
            Priority = job.Priority,
            TotalNumberOfTasks = job.TotalTasks,
            NumberOfTasksSucceeded = job.TasksSucceeded,
            NumberOfTasksFailed = job.TasksFailed,
            ElapsedTimeInActiveSeconds = job.ElapsedSeconds,
            StatusUpdateReason = job.StatusReason,
            Failure = job.Failure is { } failure ? (failure.Code, failure.Reason) : null,
            Report = new JobReportDocument(spec.Report.Enabled, spec.Report.Bucket is { } bucket ? ArnOf(bucket, dialect, region) : null,
                spec.Report.Enabled ? spec.Report.Format : null, spec.Report.Prefix, spec.Report.Enabled ? spec.Report.Scope : null),
            CreationTime = job.CreatedAt,
            TerminationDate = job.TerminatedAt,
            RoleArn = spec.RoleArn,
        };
    }

    /// <summary>A bucket's ARN: <c>arn:aws:s3:::bucket</c>, or COS's <c>qcs::cos:&lt;region&gt;::bucket</c>.</summary>
    private static string ArnOf(string bucket, Dialect dialect, string region) =>
        dialect == Dialect.S3 ? $"arn:aws:s3:::{bucket}" : $"qcs::cos:{region}::{bucket}";

    /// <summary>The bucket an ARN names: <c>arn:aws:s3:::b</c>; COS <c>qcs::cos:&lt;region&gt;::b</c> or <c>qcs::cos:&lt;region&gt;:uid/&lt;appid&gt;:b</c>.</summary>
    public static string BucketArn(string arn, Dialect dialect)
    {
        var (bucket, key) = Parse(arn, dialect);
        return key is null ? bucket : throw new CofferException(ErrorCode.InvalidRequest, $"'{arn}' names an object, not a bucket.");
    }

    private static (string Bucket, string Key) ObjectArn(string arn, Dialect dialect)
    {
        var (bucket, key) = Parse(arn, dialect);
        return key is { Length: > 0 } ? (bucket, key) : throw new CofferException(ErrorCode.InvalidRequest, $"'{arn}' does not name an object.");
    }

    private static (string Bucket, string? Key) Parse(string arn, Dialect dialect)
    {
        string resource;
        if (dialect == Dialect.S3 && arn.StartsWith("arn:aws:s3:::", StringComparison.Ordinal))
        {
            resource = arn["arn:aws:s3:::".Length..];
        }
        else if (dialect == Dialect.Cos && arn.StartsWith("qcs::cos:", StringComparison.Ordinal) && arn.Split(':', 6) is { Length: 6 } parts)
        {
            // qcs::cos:<region>:<uid/appid or empty>:<resource>
            resource = parts[5];
        }
        else
        {
            throw new CofferException(ErrorCode.InvalidRequest,
                $"'{arn}' is not {(dialect == Dialect.S3 ? "an S3 ARN (arn:aws:s3:::bucket[/key])" : "a COS resource (qcs::cos:<region>::bucket[/key])")}.");
        }

        var slash = resource.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? resource : resource[..slash];
        if (!BucketName.TryParse(bucket, out _))
        {
            throw new CofferException(ErrorCode.InvalidRequest, $"'{bucket}' is not a bucket name.");
        }

        return (bucket, slash < 0 ? null : resource[(slash + 1)..]);
    }
}
