namespace Coffer.Model.Access;

/// <summary>
/// A request as policies see it: the action names it needs (a statement naming any of them applies: its COS name and
/// its S3 name), the resource it touches in each naming scheme, and the values of the condition keys. The request's
/// own <c>x-cos-*</c> / <c>x-amz-*</c> headers are looked up in <paramref name="Headers"/> only when a policy tests one
/// (without it, e.g. for the server's own deliveries, <paramref name="ContextValues"/> carries them).
/// </summary>
public sealed record AccessRequest(IReadOnlyList<string> Actions, IReadOnlyList<string> Resources, IReadOnlyDictionary<string, string> ContextValues,
    IConditionHeaders? Headers = null)
{
    /// <summary>The request on a bucket (<paramref name="key"/> null) or on one of its objects.</summary>
    public static AccessRequest For(IReadOnlyList<string> actions, string region, string ownerAppId, string bucket, string? key,
        IReadOnlyDictionary<string, string> context, IConditionHeaders? headers = null)
    {
        var cos = $"qcs::cos:{region}:uid/{ownerAppId}:{bucket}";
        string[] resources = key is null
            ? [cos + "/", cos, $"arn:aws:s3:::{bucket}"]
            : [$"{cos}/{key}", $"arn:aws:s3:::{bucket}/{key}"];
        return new AccessRequest(actions, resources, context, headers);
    }

    /// <summary>A request on no bucket (GET Service): only a statement on every resource (<c>*</c>) covers it.</summary>
    public static AccessRequest ForService(IReadOnlyList<string> actions, IReadOnlyDictionary<string, string> context, IConditionHeaders? headers = null) =>
        new(actions, ["*"], context, headers);

    public string? Context(string key) =>
        Headers is not null && key.StartsWith(AccessPolicy.HeaderKeyPrefix, StringComparison.Ordinal)
            ? Headers.Find(key[AccessPolicy.HeaderKeyPrefix.Length..])
            : ContextValues.GetValueOrDefault(key);
}

/// <summary>
/// Where a request's <c>x-cos-*</c> / <c>x-amz-*</c> condition values come from: its headers, or for a browser form
/// upload the form fields the upload obeys.
/// </summary>
public interface IConditionHeaders
{
    /// <summary>The value of the dialect's header <c>x-cos-</c>/<c>x-amz-</c> + <paramref name="suffix"/> (case-insensitive); null when absent.</summary>
    string? Find(string suffix);
}
