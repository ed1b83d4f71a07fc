namespace Coffer.Model.Notifications;

/// <summary>
/// One rule of a bucket's notification configuration: events of these types whose key passes the filter go to the
/// target named by <paramref name="TargetArn"/> (<c>arn:coffer:sqs::&lt;target id&gt;:webhook</c>, a target of the server's configuration).
/// <paramref name="Kind"/> is how the client wrote the rule (Queue, Topic or CloudFunction), echoed back.
/// </summary>
public sealed record NotificationRule(string Id, string TargetArn, IReadOnlyList<string> Events, string? Prefix, string? Suffix, string Kind = "Queue")
{
    /// <summary>Whether an event of <paramref name="eventName"/> (<c>s3:ObjectCreated:Put</c>) on <paramref name="key"/> matches.</summary>
    public bool Matches(string eventName, string key) =>
        Events.Any(e => e == eventName || (e.EndsWith(":*", StringComparison.Ordinal) && eventName.StartsWith(e[..^1], StringComparison.Ordinal)))
        && (Prefix is null || key.StartsWith(Prefix, StringComparison.Ordinal))
        && (Suffix is null || key.EndsWith(Suffix, StringComparison.Ordinal));
}

/// <summary>A bucket's notification configuration: its rules (none when it has no configuration).</summary>
public sealed record NotificationConfiguration(IReadOnlyList<NotificationRule> Rules)
{
    public static NotificationConfiguration Empty { get; } = new([]);
}

/// <summary>A webhook the server delivers events to, defined in its configuration file.</summary>
/// <param name="Id">The name rules use in their ARN.</param>
/// <param name="Endpoint">Where events are POSTed.</param>
/// <param name="Authorization">An Authorization header value sent with each event, if any.</param>
/// <param name="QueueLimit">How many events may wait for this target; past it, new events for it are dropped (and counted).</param>
public sealed record NotificationTarget(string Id, Uri Endpoint, string? Authorization = null, int QueueLimit = NotificationTarget.DefaultQueueLimit)
{
    public const int DefaultQueueLimit = 100_000;

    /// <summary>The ARN a rule names this target by.</summary>
    public string Arn => ArnOf(Id);

    public static string ArnOf(string id) => $"arn:coffer:sqs::{id}:webhook";
}

/// <summary>The event types, as rules name them.</summary>
public static class NotificationEvents
{
    public const string Put = "s3:ObjectCreated:Put";
    public const string Copy = "s3:ObjectCreated:Copy";
    public const string CompleteMultipartUpload = "s3:ObjectCreated:CompleteMultipartUpload";
    public const string Delete = "s3:ObjectRemoved:Delete";
    public const string DeleteMarkerCreated = "s3:ObjectRemoved:DeleteMarkerCreated";
    public const string TaggingPut = "s3:ObjectTagging:Put";
    public const string TaggingDelete = "s3:ObjectTagging:Delete";

    /// <summary>Coffer's own: an inventory report's manifest.checksum landed (the report is complete).</summary>
    public const string InventoryDelivered = "coffer:InventoryReport:Delivered";

    /// <summary>Every event type a rule may name, wildcards included.</summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "s3:ObjectCreated:*", Put, "s3:ObjectCreated:Post", Copy, CompleteMultipartUpload,
        "s3:ObjectRemoved:*", Delete, DeleteMarkerCreated,
        "s3:ObjectTagging:*", TaggingPut, TaggingDelete,
        "coffer:InventoryReport:*", InventoryDelivered,
    };
}
