namespace Coffer.Model.Access;

/// <summary>
/// A request as policies see it: the action names it needs (a statement naming any of them applies: its COS name and
/// its S3 name), the resource it touches in each naming scheme, and the values of the condition keys.
/// </summary>
public sealed record AccessRequest(IReadOnlyList<string> Actions, IReadOnlyList<string> Resources, IReadOnlyDictionary<string, string> ContextValues)
{
    /// <summary>The request on a bucket (<paramref name="key"/> null) or on one of its objects.</summary>
    public static AccessRequest For(IReadOnlyList<string> actions, string region, string ownerAppId, string bucket, string? key,
        IReadOnlyDictionary<string, string> context)
    {
        var cos = $"qcs::cos:{region}:uid/{ownerAppId}:{bucket}";
        string[] resources = key is null
            ? [cos + "/", cos, $"arn:aws:s3:::{bucket}"]
            : [$"{cos}/{key}", $"arn:aws:s3:::{bucket}/{key}"];
        return new AccessRequest(actions, resources, context);
    }

    /// <summary>A request on no bucket (GET Service): only a statement on every resource (<c>*</c>) covers it.</summary>
    public static AccessRequest ForService(IReadOnlyList<string> actions, IReadOnlyDictionary<string, string> context) =>
        new(actions, ["*"], context);

    public string? Context(string key) => ContextValues.GetValueOrDefault(key);
}
