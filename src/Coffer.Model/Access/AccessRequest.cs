namespace Coffer.Model.Access;

/// <summary>
/// A request as policies see it: the action names it needs (a statement naming any of them applies: its COS name and
/// its S3 name), the resource it touches in each naming scheme, and the values of the condition keys. What the HTTP
/// request itself carries (its <c>x-cos-*</c> / <c>x-amz-*</c> headers, Content-Type, …) is looked up in
/// <paramref name="Conditions"/> only when a policy tests it; the rest, and everything for requests the server makes
/// itself (inventory deliveries), is in <paramref name="ContextValues"/>.
/// </summary>
public sealed record AccessRequest(IReadOnlyList<string> Actions, IReadOnlyList<string> Resources, IReadOnlyDictionary<string, string> ContextValues,
    IRequestConditions? Conditions = null)
{
    /// <summary>The request on a bucket (<paramref name="key"/> null) or on one of its objects.</summary>
    public static AccessRequest For(IReadOnlyList<string> actions, string region, string ownerAppId, string bucket, string? key,
        IReadOnlyDictionary<string, string> context, IRequestConditions? conditions = null)
    {
        var cos = $"qcs::cos:{region}:uid/{ownerAppId}:{bucket}";
        string[] resources = key is null
            ? [cos + "/", cos, $"arn:aws:s3:::{bucket}"]
            : [$"{cos}/{key}", $"arn:aws:s3:::{bucket}/{key}"];
        return new AccessRequest(actions, resources, context, conditions);
    }

    /// <summary>A request on no bucket (GET Service): only a statement on every resource (<c>*</c>) covers it.</summary>
    public static AccessRequest ForService(IReadOnlyList<string> actions, IReadOnlyDictionary<string, string> context, IRequestConditions? conditions = null) =>
        new(actions, ["*"], context, conditions);

    public string? Context(string key) => Conditions?.Find(key) ?? ContextValues.GetValueOrDefault(key);
}

/// <summary>
/// The condition values an HTTP request carries itself, read on demand: its <c>x-cos-*</c> / <c>x-amz-*</c> headers
/// (<see cref="AccessPolicy.HeaderKeyPrefix"/>), or for a browser form upload the form fields the upload obeys, and
/// <c>cos:content-type</c>, <c>cos:content-length</c>, <c>cos:response-content-type</c>, <c>cos:secure-transport</c>.
/// </summary>
public interface IRequestConditions
{
    /// <summary>The value of condition key <paramref name="key"/> (as <see cref="AccessPolicy"/> names it); null when the request has none.</summary>
    string? Find(string key);
}
