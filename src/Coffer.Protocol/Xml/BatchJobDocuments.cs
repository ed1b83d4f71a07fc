using System.Text;
using System.Xml.Linq;
using Coffer.Common;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Xml;

/// <summary>A job's manifest as CreateJob names it (and DescribeJob echoes it).</summary>
public sealed record JobManifestDocument(string Format, IReadOnlyList<string> Fields, string ObjectArn, string ETag, string? ObjectVersionId);

/// <summary>The completion report asked for.</summary>
public sealed record JobReportDocument(bool Enabled, string? Bucket, string? Format, string? Prefix, string? ReportScope);

/// <summary>
/// The job's operation: its name without the dialect's prefix (<c>PutObjectTagging</c> for <c>S3PutObjectTagging</c> and
/// <c>COSPutObjectTagging</c>) and the parameters Coffer acts on.
/// </summary>
public sealed record JobOperationDocument
{
    public required string Name { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> TagSet { get; init; } = [];

    public string? TargetResource { get; init; }

    public string? TargetKeyPrefix { get; init; }

    public string? StorageClass { get; init; }

    public string? MetadataDirective { get; init; }

    public string? ContentType { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> UserMetadata { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>>? NewObjectTagging { get; init; }

    public string? CannedAccessControlList { get; init; }

    public string? SseAlgorithm { get; init; }

    public string? ChecksumAlgorithm { get; init; }

    /// <summary>S3PutObjectCopy's <c>RequesterPays</c>: the creator agrees to pay for the copies.</summary>
    public bool RequesterPays { get; init; }
}

/// <summary>CreateJobRequest as read from the wire.</summary>
public sealed record CreateJobDocument
{
    public string? ClientRequestToken { get; init; }

    public bool ConfirmationRequired { get; init; }

    public string? Description { get; init; }

    public int? Priority { get; init; }

    public string? RoleArn { get; init; }

    public required JobManifestDocument Manifest { get; init; }

    public required JobOperationDocument Operation { get; init; }

    public required JobReportDocument Report { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];
}

/// <summary>A job as DescribeJob and ListJobs write it.</summary>
public sealed record JobDocument
{
    public required string JobId { get; init; }

    public required string JobArn { get; init; }

    public bool ConfirmationRequired { get; init; }

    public string? Description { get; init; }

    public required string Status { get; init; }

    public required JobManifestDocument Manifest { get; init; }

    public required JobOperationDocument Operation { get; init; }

    public int Priority { get; init; }

    public long TotalNumberOfTasks { get; init; }

    public long NumberOfTasksSucceeded { get; init; }

    public long NumberOfTasksFailed { get; init; }

    public long ElapsedTimeInActiveSeconds { get; init; }

    public string? StatusUpdateReason { get; init; }

    public (string Code, string Reason)? Failure { get; init; }

    public required JobReportDocument Report { get; init; }

    public DateTimeOffset CreationTime { get; init; }

    public DateTimeOffset? TerminationDate { get; init; }

    public string? RoleArn { get; init; }
}

/// <summary>
/// S3 Control's job documents (namespace <c>http://awss3control.amazonaws.com/doc/2018-08-20/</c>, lists of
/// <c>&lt;member&gt;</c>, operations <c>S3…</c>) and COS batch processing's (no namespace, operations <c>COS…</c>; where
/// COS's documents are silent, shaped as S3 Control's).
/// </summary>
public static class BatchJobDocuments
{
    public const string S3ControlNamespace = "http://awss3control.amazonaws.com/doc/2018-08-20/";

    /// <summary>The operations Coffer runs; any other known operation is NotImplemented, an unknown one InvalidRequest.</summary>
    public static readonly IReadOnlyList<string> Implemented =
        ["PutObjectCopy", "PutObjectTagging", "DeleteObjectTagging", "DeleteObject", "ComputeObjectChecksum"];

    private static readonly string[] Known =
    [
        .. Implemented, "InitiateRestoreObject", "PutObjectAcl", "PutObjectLegalHold", "PutObjectRetention", "ReplicateObject", "UpdateObjectEncryption",
    ];

    public static CreateJobDocument ParseCreateJob(XElement root, Dialect dialect)
    {
        Expect(root, "CreateJobRequest");
        if (root.Element("ManifestGenerator") is not null)
        {
            throw new CofferException(ErrorCode.NotImplemented, "ManifestGenerator is not implemented: give a Manifest (a CSV list or an inventory report).");
        }

        var manifest = root.Element("Manifest") ?? throw Malformed("CreateJobRequest needs a Manifest.");
        var spec = manifest.Element("Spec") ?? throw Malformed("The Manifest needs a Spec.");
        var location = manifest.Element("Location") ?? throw Malformed("The Manifest needs a Location.");
        var report = root.Element("Report") ?? throw Malformed("CreateJobRequest needs a Report.");
        return new CreateJobDocument
        {
            ClientRequestToken = Text(root, "ClientRequestToken"),
            ConfirmationRequired = Boolean(root, "ConfirmationRequired"),
            Description = Text(root, "Description"),
            Priority = Text(root, "Priority") is { } priority
                ? int.TryParse(priority, out var value) ? value : throw Invalid($"Priority '{priority}' is not an integer.")
                : null,
            RoleArn = Text(root, "RoleArn"),
            Manifest = new JobManifestDocument(
                Text(spec, "Format") ?? throw Malformed("The manifest Spec needs a Format."),
                spec.Element("Fields")?.Elements("member").Select(m => m.Value).ToArray() ?? [],
                Text(location, "ObjectArn") ?? throw Malformed("The manifest Location needs an ObjectArn."),
                Text(location, "ETag") ?? throw Malformed("The manifest Location needs an ETag."),
                Text(location, "ObjectVersionId")),
            Operation = ParseOperation(root.Element("Operation") ?? throw Malformed("CreateJobRequest needs an Operation."), dialect),
            Report = new JobReportDocument(Boolean(report, "Enabled"), Text(report, "Bucket"), Text(report, "Format"), Text(report, "Prefix"),
                Text(report, "ReportScope")),
            Tags = TagList(root.Element("Tags")),
        };
    }

    public static IReadOnlyList<KeyValuePair<string, string>> ParseTagging(XElement root)
    {
        Expect(root, "PutJobTaggingRequest");
        return TagList(root.Element("Tags"));
    }

    public static byte[] WriteCreateJobResult(string jobId, Dialect dialect) =>
        Build("CreateJobResult", dialect, root => root.Add(Node("JobId", jobId, dialect)));

    public static byte[] WriteDescribeJobResult(JobDocument job, Dialect dialect) => Build("DescribeJobResult", dialect, root =>
    {
        var n = Namer(dialect);
        var element = new XElement(n("Job"),
            new XElement(n("JobId"), job.JobId),
            new XElement(n("ConfirmationRequired"), job.ConfirmationRequired ? "true" : "false"),
            job.Description is null ? null : new XElement(n("Description"), job.Description),
            new XElement(n("JobArn"), job.JobArn),
            new XElement(n("Status"), job.Status),
            Manifest(job.Manifest, n),
            new XElement(n("Operation"), Operation(job.Operation, dialect)),
            new XElement(n("Priority"), job.Priority),
            Progress(job, n),
            job.StatusUpdateReason is null ? null : new XElement(n("StatusUpdateReason"), job.StatusUpdateReason),
            job.Failure is { } failure
                ? new XElement(n("FailureReasons"), new XElement(n("member"), new XElement(n("FailureCode"), failure.Code), new XElement(n("FailureReason"), failure.Reason)))
                : null,
            Report(job.Report, n),
            new XElement(n("CreationTime"), Iso(job.CreationTime)),
            job.TerminationDate is { } terminated ? new XElement(n("TerminationDate"), Iso(terminated)) : null,
            job.RoleArn is null ? null : new XElement(n("RoleArn"), job.RoleArn));
        root.Add(element);
    });

    public static byte[] WriteListJobsResult(IReadOnlyList<JobDocument> jobs, string? nextToken, Dialect dialect) => Build("ListJobsResult", dialect, root =>
    {
        var n = Namer(dialect);
        if (nextToken is not null)
        {
            root.Add(new XElement(n("NextToken"), nextToken));
        }

        root.Add(new XElement(n("Jobs"), jobs.Select(job => new XElement(n("member"),
            new XElement(n("JobId"), job.JobId),
            job.Description is null ? null : new XElement(n("Description"), job.Description),
            new XElement(n("Operation"), OperationName(job.Operation.Name, dialect)),
            new XElement(n("Priority"), job.Priority),
            new XElement(n("Status"), job.Status),
            new XElement(n("CreationTime"), Iso(job.CreationTime)),
            job.TerminationDate is { } terminated ? new XElement(n("TerminationDate"), Iso(terminated)) : null,
            Progress(job, n)))));
    });

    public static byte[] WriteUpdateJobPriorityResult(string jobId, int priority, Dialect dialect) => Build("UpdateJobPriorityResult", dialect, root =>
        root.Add(Node("JobId", jobId, dialect), Node("Priority", priority.ToString(System.Globalization.CultureInfo.InvariantCulture), dialect)));

    public static byte[] WriteUpdateJobStatusResult(string jobId, string status, string? reason, Dialect dialect) =>
        Build("UpdateJobStatusResult", dialect, root =>
        {
            root.Add(Node("JobId", jobId, dialect), Node("Status", status, dialect));
            if (reason is not null)
            {
                root.Add(Node("StatusUpdateReason", reason, dialect));
            }
        });

    public static byte[] WriteGetJobTaggingResult(IReadOnlyList<KeyValuePair<string, string>> tags, Dialect dialect) => Build("GetJobTaggingResult", dialect, root =>
    {
        var n = Namer(dialect);
        root.Add(new XElement(n("Tags"), tags.Select(t => new XElement(n("member"), new XElement(n("Key"), t.Key), new XElement(n("Value"), t.Value)))));
    });

    /// <summary>The operation's element name in a dialect: <c>S3PutObjectTagging</c>, <c>COSPutObjectTagging</c>.</summary>
    public static string OperationName(string name, Dialect dialect) => (dialect == Dialect.S3 ? "S3" : "COS") + name;

    private static JobOperationDocument ParseOperation(XElement operation, Dialect dialect)
    {
        var elements = operation.Elements().ToArray();
        if (elements.Length != 1)
        {
            throw Invalid("The Operation must name exactly one operation.");
        }

        var element = elements[0];
        var prefix = dialect == Dialect.S3 ? "S3" : "COS";
        var local = element.Name.LocalName;
        var name = local.StartsWith(prefix, StringComparison.Ordinal) ? local[prefix.Length..] : null;
        if (local == "LambdaInvoke")
        {
            throw new CofferException(ErrorCode.NotImplemented, "The batch operation LambdaInvoke is not implemented: Coffer runs no functions.");
        }

        if (name is null || !Known.Contains(name))
        {
            throw Invalid($"The operation '{local}' is not a batch operation of this API.");
        }

        if (!Implemented.Contains(name))
        {
            throw new CofferException(ErrorCode.NotImplemented, $"The batch operation {local} is not implemented.");
        }

        if (name == "PutObjectCopy")
        {
            RefuseWhatACopyDoesNotApply(element);
        }

        if (name == "ComputeObjectChecksum" && Text(element, "ChecksumType") is { } type && type != "FULL_OBJECT")
        {
            throw new CofferException(ErrorCode.NotImplemented, $"ChecksumType {type} is not implemented: a checksum job computes FULL_OBJECT checksums.");
        }

        var metadata = element.Element("NewObjectMetadata");
        return new JobOperationDocument
        {
            Name = name,
            TagSet = TagList(element.Element("TagSet")),
            TargetResource = Text(element, "TargetResource"),
            TargetKeyPrefix = Text(element, "TargetKeyPrefix"),
            StorageClass = Text(element, "StorageClass"),
            MetadataDirective = Text(element, "MetadataDirective"),
            ContentType = metadata is null ? null : Text(metadata, "ContentType"),
            UserMetadata = metadata?.Element("UserMetadata") is { } userMetadata ? UserMetadataOf(userMetadata) : [],
            NewObjectTagging = element.Element("NewObjectTagging") is { } tagging ? TagList(tagging) : null,
            CannedAccessControlList = Text(element, "CannedAccessControlList"),
            SseAlgorithm = metadata is null ? null : Text(metadata, "SSEAlgorithm"),
            ChecksumAlgorithm = Text(element, "ChecksumAlgorithm"),
            RequesterPays = Boolean(element, "RequesterPays"),
        };
    }

    /// <summary>What a copy job applies, by element; see <see cref="RefuseWhatACopyDoesNotApply"/>.</summary>
    private static readonly HashSet<string> CopyMembers = new(StringComparer.Ordinal)
    {
        "TargetResource", "TargetKeyPrefix", "StorageClass", "MetadataDirective", "NewObjectMetadata", "NewObjectTagging", "CannedAccessControlList",
        "RequesterPays",
    };

    private static readonly HashSet<string> CopyMetadataMembers = new(StringComparer.Ordinal) { "ContentType", "UserMetadata", "SSEAlgorithm" };

    /// <summary>
    /// A copy's member that asks for what Coffer's copy jobs do not do (copy conditions, object lock, grants, a KMS key,
    /// a checksum, other stored headers, COS's prefix replacement and ACL directive) is NotImplemented, rather than a job
    /// whose every task reports success for a copy made otherwise than asked. A member left at its default asks nothing.
    /// </summary>
    private static void RefuseWhatACopyDoesNotApply(XElement copy)
    {
        foreach (var (parent, members) in new[] { (copy, CopyMembers), (copy.Element("NewObjectMetadata"), CopyMetadataMembers) })
        {
            foreach (var member in parent?.Elements() ?? [])
            {
                var name = member.Name.LocalName;
                if (!members.Contains(name) && (member.HasElements || member.Value is { Length: > 0 } and not ("false" or "Copy" or "OFF")))
                {
                    throw new CofferException(ErrorCode.NotImplemented, $"{name} is not implemented in a batch copy.");
                }
            }
        }
    }

    /// <summary>
    /// The metadata of a copy that replaces it: S3 Control's map (<c>entry</c> with <c>key</c> and <c>value</c>) or COS's list
    /// (<c>member</c> with <c>Key</c> and <c>Value</c>, the name with or without its <c>x-cos-meta-</c> prefix).
    /// </summary>
    private static KeyValuePair<string, string>[] UserMetadataOf(XElement userMetadata)
    {
        var metadata = userMetadata.Elements().Select(item => item.Name.LocalName switch
        {
            "entry" => new KeyValuePair<string, string>(Text(item, "key") ?? "", Text(item, "value") ?? ""),
            "member" => new KeyValuePair<string, string>(WithoutMetaPrefix(Text(item, "Key") ?? ""), Text(item, "Value") ?? ""),
            var other => throw Malformed($"UserMetadata lists entry or member elements, not {other}."),
        }).Select(m => new KeyValuePair<string, string>(m.Key.ToLowerInvariant(), m.Value)).ToArray();

        // As a PUT's: each name a header's (every GET of a copy repeats it as one), values printable, 2 KiB in all.
        foreach (var (name, value) in metadata)
        {
            if (!HttpToken.IsToken(name) || HeaderValues.HasControlCharacters(value))
            {
                throw Invalid($"The metadata '{name}' is not a header: its name must be letters, digits and !#$%&'*+-.^_`|~, its value printable.");
            }
        }

        return metadata.Sum(m => Encoding.UTF8.GetByteCount(m.Key) + Encoding.UTF8.GetByteCount(m.Value)) > HeaderValues.MaxUserMetadataBytes
            ? throw Invalid($"User metadata may total at most {HeaderValues.MaxUserMetadataBytes} bytes.")
            : metadata;
    }

    private static string WithoutMetaPrefix(string name) =>
        name.StartsWith("x-cos-meta-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase)
            ? name["x-cos-meta-".Length..]
            : name;

    private static XElement[] Operation(JobOperationDocument operation, Dialect dialect)
    {
        var n = Namer(dialect);
        var element = new XElement(n(OperationName(operation.Name, dialect)));
        switch (operation.Name)
        {
            case "PutObjectTagging":
                element.Add(new XElement(n("TagSet"), Tags(operation.TagSet, n)));
                break;
            case "PutObjectCopy":
                element.Add(
                    operation.TargetResource is null ? null : new XElement(n("TargetResource"), operation.TargetResource),
                    operation.CannedAccessControlList is null ? null : new XElement(n("CannedAccessControlList"), operation.CannedAccessControlList),
                    operation.RequesterPays ? new XElement(n("RequesterPays"), "true") : null,
                    operation.MetadataDirective is null ? null : new XElement(n("MetadataDirective"), operation.MetadataDirective),
                    operation.NewObjectTagging is null ? null : new XElement(n("NewObjectTagging"), Tags(operation.NewObjectTagging, n)),
                    operation.StorageClass is null ? null : new XElement(n("StorageClass"), operation.StorageClass),
                    operation.TargetKeyPrefix is null ? null : new XElement(n("TargetKeyPrefix"), operation.TargetKeyPrefix));
                break;
            case "ComputeObjectChecksum":
                element.Add(new XElement(n("ChecksumAlgorithm"), operation.ChecksumAlgorithm), new XElement(n("ChecksumType"), "FULL_OBJECT"));
                break;
        }

        return [element];
    }

    private static XElement Manifest(JobManifestDocument manifest, Func<string, XName> n) => new(n("Manifest"),
        new XElement(n("Spec"), new XElement(n("Format"), manifest.Format),
            manifest.Fields.Count == 0 ? null : new XElement(n("Fields"), manifest.Fields.Select(f => new XElement(n("member"), f)))),
        new XElement(n("Location"), new XElement(n("ObjectArn"), manifest.ObjectArn), new XElement(n("ETag"), manifest.ETag),
            manifest.ObjectVersionId is null ? null : new XElement(n("ObjectVersionId"), manifest.ObjectVersionId)));

    private static XElement Report(JobReportDocument report, Func<string, XName> n) => new(n("Report"),
        report.Bucket is null ? null : new XElement(n("Bucket"), report.Bucket),
        report.Format is null ? null : new XElement(n("Format"), report.Format),
        new XElement(n("Enabled"), report.Enabled ? "true" : "false"),
        report.Prefix is null ? null : new XElement(n("Prefix"), report.Prefix),
        report.ReportScope is null ? null : new XElement(n("ReportScope"), report.ReportScope));

    private static XElement Progress(JobDocument job, Func<string, XName> n) => new(n("ProgressSummary"),
        new XElement(n("TotalNumberOfTasks"), job.TotalNumberOfTasks),
        new XElement(n("NumberOfTasksSucceeded"), job.NumberOfTasksSucceeded),
        new XElement(n("NumberOfTasksFailed"), job.NumberOfTasksFailed),
        new XElement(n("Timers"), new XElement(n("ElapsedTimeInActiveSeconds"), job.ElapsedTimeInActiveSeconds)));

    private static IEnumerable<XElement> Tags(IReadOnlyList<KeyValuePair<string, string>> tags, Func<string, XName> n) =>
        tags.Select(t => new XElement(n("member"), new XElement(n("Key"), t.Key), new XElement(n("Value"), t.Value)));

    private static IReadOnlyList<KeyValuePair<string, string>> TagList(XElement? list) =>
        list?.Elements("member").Select(m => new KeyValuePair<string, string>(
            Text(m, "Key") ?? throw Malformed("A tag needs a Key."), m.Element("Value")?.Value ?? "")).ToArray() ?? [];

    private static Func<string, XName> Namer(Dialect dialect)
    {
        XNamespace ns = dialect == Dialect.S3 ? S3ControlNamespace : XNamespace.None;
        return name => ns + name;
    }

    private static XElement Node(string name, string value, Dialect dialect) => new(Namer(dialect)(name), value);

    private static byte[] Build(string root, Dialect dialect, Action<XElement> body)
    {
        var element = new XElement(Namer(dialect)(root));
        body(element);
        foreach (var text in element.DescendantNodes().OfType<XText>())
        {
            if (!XmlCharacters.IsValid(text.Value))
            {
                throw new CofferException(ErrorCode.InvalidArgument, "The response holds characters XML 1.0 cannot carry.");
            }
        }

        using var buffer = new MemoryStream();
        using (var writer = System.Xml.XmlWriter.Create(buffer, new System.Xml.XmlWriterSettings { Encoding = new System.Text.UTF8Encoding(false) }))
        {
            new XDocument(element).Save(writer);
        }

        return buffer.ToArray();
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static void Expect(XElement root, string name)
    {
        if (root.Name.LocalName != name)
        {
            throw Malformed($"The document's root must be {name}, not {root.Name.LocalName}.");
        }
    }

    private static string? Text(XElement parent, string name) => parent.Element(name)?.Value is { Length: > 0 } value ? value : null;

    private static bool Boolean(XElement parent, string name) => Text(parent, name) switch
    {
        null or "false" => false,
        "true" => true,
        var other => throw Malformed($"{name} must be true or false, not '{other}'."),
    };

    private static CofferException Malformed(string message) => new(ErrorCode.MalformedXml, message);

    private static CofferException Invalid(string message) => new(ErrorCode.InvalidRequest, message);
}
