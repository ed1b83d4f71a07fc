using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Coffer.Common;
using Coffer.Common.AccessLogs;
using Coffer.Common.Cors;
using Coffer.Common.Lifecycle;
using Coffer.Storage;

namespace Coffer.Model.Buckets;

/// <summary>
/// A bucket's lifecycle, CORS and tagging configurations, each one bucket configuration of its own kind,
/// stored as JSON in an envelope with a format number. The configurations requests consult (lifecycle for
/// <c>x-amz-expiration</c>, CORS for browsers) are parsed once for as long as their stored bytes stay the same.
/// </summary>
public sealed class BucketSettings(IMetadataStore metadata, TimeProvider time)
{
    public const string LifecycleKind = "lifecycle";
    public const string CorsKind = "cors";
    public const string TaggingKind = "tagging";
    public const string LoggingKind = "logging";

    /// <summary>The most tags a bucket may have (COS and S3 both allow 50).</summary>
    public const int MaxBucketTags = 50;

    private const int Format = 1;
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    private readonly ConcurrentDictionary<(long, string), (byte[] Body, object Value)> _parsed = new();

    public Task PutLifecycleAsync(string bucket, LifecycleConfiguration configuration, CancellationToken cancellationToken = default) =>
        PutAsync(bucket, LifecycleKind, configuration, cancellationToken);

    /// <summary>The bucket's lifecycle, or NoSuchLifecycleConfiguration.</summary>
    public LifecycleConfiguration GetLifecycle(string bucket) => FindLifecycle(bucket)
        ?? throw new CofferException(ErrorCode.NoSuchLifecycleConfiguration, "The lifecycle configuration does not exist.");

    public LifecycleConfiguration? FindLifecycle(string bucket) => Find<LifecycleConfiguration>(bucket, LifecycleKind);

    /// <summary>The lifecycle of the bucket <paramref name="rules"/> were read for, from the configurations read with them when they were.</summary>
    public LifecycleConfiguration? FindLifecycle(Access.BucketAccessRules rules) =>
        rules.TryGetConfiguration(LifecycleKind, out var body)
            ? body is null ? null : Parsed<LifecycleConfiguration>(rules.BucketId, LifecycleKind, body)
            : FindLifecycle(rules.Bucket.Name);

    public Task DeleteLifecycleAsync(string bucket, CancellationToken cancellationToken = default) => DeleteAsync(bucket, LifecycleKind, cancellationToken);

    public Task PutCorsAsync(string bucket, CorsConfiguration configuration, CancellationToken cancellationToken = default) =>
        PutAsync(bucket, CorsKind, configuration, cancellationToken);

    /// <summary>The bucket's CORS rules, or NoSuchCORSConfiguration.</summary>
    public CorsConfiguration GetCors(string bucket) => FindCors(bucket)
        ?? throw new CofferException(ErrorCode.NoSuchCorsConfiguration, "The CORS configuration does not exist.");

    public CorsConfiguration? FindCors(string bucket) => Find<CorsConfiguration>(bucket, CorsKind);

    public Task DeleteCorsAsync(string bucket, CancellationToken cancellationToken = default) => DeleteAsync(bucket, CorsKind, cancellationToken);

    /// <summary>Replaces the bucket's tags: at most 50, keys unique, within the object tag limits.</summary>
    public Task PutTaggingAsync(string bucket, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken = default)
    {
        Objects.ObjectTags.Validate(tags, MaxBucketTags);
        return PutAsync(bucket, TaggingKind, tags.Select(t => new[] { t.Key, t.Value }).ToArray(), cancellationToken);
    }

    /// <summary>The bucket's tags, or NoSuchTagSet.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> GetTagging(string bucket) =>
        FindTagging(bucket) ?? throw new CofferException(ErrorCode.NoSuchTagSet, "The TagSet does not exist.");

    /// <summary>The bucket's tags, or null when it has none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? FindTagging(string bucket) =>
        Find<string[][]>(bucket, TaggingKind)?.Select(t => new KeyValuePair<string, string>(t[0], t[1])).ToArray();

    public Task DeleteTaggingAsync(string bucket, CancellationToken cancellationToken = default) => DeleteAsync(bucket, TaggingKind, cancellationToken);

    /// <summary>Sets the bucket's access logging, or with null turns it off (the target was checked by the caller).</summary>
    public Task PutLoggingAsync(string bucket, BucketLoggingConfiguration? configuration, CancellationToken cancellationToken = default) =>
        configuration is null ? DeleteAsync(bucket, LoggingKind, cancellationToken) : PutAsync(bucket, LoggingKind, configuration, cancellationToken);

    public BucketLoggingConfiguration? FindLogging(string bucket) => Find<BucketLoggingConfiguration>(bucket, LoggingKind);

    /// <summary>The access logging of the bucket <paramref name="rules"/> were read for, from the configurations read with them (no store read).</summary>
    public BucketLoggingConfiguration? FindLogging(Access.BucketAccessRules rules) =>
        rules.TryGetConfiguration(LoggingKind, out var body)
            ? body is null ? null : Parsed<BucketLoggingConfiguration>(rules.BucketId, LoggingKind, body)
            : FindLogging(rules.Bucket.Name);

    private T? Find<T>(string bucket, string kind)
        where T : class
    {
        using var reader = metadata.OpenSnapshot();
        var record = reader.Buckets.Get(bucket) ?? throw NoSuchBucket();
        return reader.Configs.Get(record.Id, kind, "") is { } stored ? Parsed<T>(record.Id, kind, stored.Body) : null;
    }

    /// <summary>A stored configuration, parsed once for as long as its bytes stay the same.</summary>
    internal T Parsed<T>(long bucketId, string kind, byte[] body)
        where T : class
    {
        if (_parsed.TryGetValue((bucketId, kind), out var cached) && cached.Body.AsSpan().SequenceEqual(body) && cached.Value is T value)
        {
            return value;
        }

        var parsed = Decode<T>(body);
        _parsed[(bucketId, kind)] = (body, parsed);
        return parsed;
    }

    internal static byte[] Encode<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(new Envelope<T>(Format, value), Json);

    internal static T Decode<T>(byte[] body)
    {
        var envelope = JsonSerializer.Deserialize<Envelope<T>>(body, Json) ?? throw new InvalidDataException("An empty bucket configuration.");
        return envelope.Format == Format ? envelope.Value : throw new InvalidDataException($"Unknown bucket configuration format {envelope.Format}.");
    }

    private Task PutAsync<T>(string bucket, string kind, T value, CancellationToken cancellationToken)
    {
        var body = Encode(value);
        var now = time.GetUtcNow();
        return metadata.WriteAsync(writer =>
        {
            var record = writer.Buckets.Get(bucket) ?? throw NoSuchBucket();
            return writer.Configs.Put(record.Id, kind, "", body, now);
        }, cancellationToken);
    }

    private Task DeleteAsync(string bucket, string kind, CancellationToken cancellationToken) =>
        metadata.WriteAsync(writer => writer.Configs.Delete((writer.Buckets.Get(bucket) ?? throw NoSuchBucket()).Id, kind, ""), cancellationToken);

    private static CofferException NoSuchBucket() => new(ErrorCode.NoSuchBucket, "The specified bucket does not exist.");

    private sealed record Envelope<T>(int Format, T Value);
}
