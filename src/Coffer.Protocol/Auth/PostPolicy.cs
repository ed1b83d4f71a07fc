using System.Globalization;
using System.Text;
using System.Text.Json;
using Coffer.Common;

namespace Coffer.Protocol.Auth;

/// <summary>One condition of a POST policy: a field (lower-cased, without <c>$</c>) that must equal or start with a value.</summary>
public sealed record PostCondition(string Field, string Value, bool IsPrefix)
{
    public override string ToString() => IsPrefix ? $"[\"starts-with\", \"${Field}\", \"{Value}\"]" : $"[\"eq\", \"${Field}\", \"{Value}\"]";
}

/// <summary>
/// The policy document of a browser form upload (S3 and COS POST Object): base64 of a JSON object with an
/// <c>expiration</c> (ISO 8601) and a <c>conditions</c> list of exact matches (<c>{"bucket": "b"}</c> or
/// <c>["eq", "$key", "k"]</c>), prefixes (<c>["starts-with", "$key", "user/"]</c>) and one
/// <c>["content-length-range", min, max]</c>. Names are case-insensitive, values are not; the document's own keys
/// (<c>expiration</c>, <c>conditions</c>) are case-sensitive, as S3 reads them.
/// </summary>
public sealed class PostPolicy
{
    private PostPolicy(string text, DateTimeOffset expiration, IReadOnlyList<PostCondition> conditions, (long Min, long Max)? lengthRange)
    {
        Text = text;
        Expiration = expiration;
        Conditions = conditions;
        LengthRange = lengthRange;
    }

    /// <summary>The decoded JSON, as the COS form signature hashes it.</summary>
    public string Text { get; }

    public DateTimeOffset Expiration { get; }

    public IReadOnlyList<PostCondition> Conditions { get; }

    /// <summary>The sizes the file may have, both ends included; null when the policy does not limit them.</summary>
    public (long Min, long Max)? LengthRange { get; }

    /// <summary>Decodes and reads the <c>policy</c> field; anything malformed is InvalidPolicyDocument.</summary>
    public static PostPolicy Parse(string base64)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(base64.Trim()));
        }
        catch (FormatException)
        {
            throw Invalid("Invalid Policy: Invalid Base64 Encoding.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw Invalid("Invalid Policy: Invalid JSON.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("Invalid Policy: Invalid JSON.");
            }

            if (!root.TryGetProperty("expiration", out var expirationValue) || expirationValue.ValueKind != JsonValueKind.String)
            {
                throw Invalid("Invalid Policy: Policy missing expiration.");
            }

            if (!DateTimeOffset.TryParse(expirationValue.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiration)
                || !expirationValue.GetString()!.Contains('T', StringComparison.Ordinal))
            {
                throw Invalid($"Invalid Policy: Invalid 'expiration' value: '{expirationValue.GetString()}'");
            }

            if (!root.TryGetProperty("conditions", out var conditionsValue) || conditionsValue.ValueKind != JsonValueKind.Array)
            {
                throw Invalid("Invalid Policy: Policy missing conditions.");
            }

            var conditions = new List<PostCondition>();
            (long, long)? range = null;
            foreach (var condition in conditionsValue.EnumerateArray())
            {
                if (condition.ValueKind == JsonValueKind.Array && condition.GetArrayLength() > 0
                    && condition[0].ValueKind == JsonValueKind.String
                    && condition[0].GetString()!.Equals("content-length-range", StringComparison.OrdinalIgnoreCase))
                {
                    range = LengthRangeOf(condition);
                }
                else
                {
                    conditions.Add(ConditionOf(condition));
                }
            }

            return new PostPolicy(text, expiration, conditions, range);
        }
    }

    /// <summary>
    /// Checks the form against the policy: not expired, every condition met, and (when <paramref name="exempt"/> is
    /// given, as S3 demands) every field named by some condition. Failures are AccessDenied, with S3's messages.
    /// </summary>
    /// <param name="fields">The form's fields by lower-cased name, with <c>bucket</c> set to the bucket written to.</param>
    public void Check(IReadOnlyDictionary<string, string> fields, DateTimeOffset now, Func<string, bool>? exempt)
    {
        if (now >= Expiration)
        {
            throw Denied("Invalid according to Policy: Policy expired.");
        }

        foreach (var condition in Conditions)
        {
            var value = fields.GetValueOrDefault(condition.Field);
            if (!Meets(condition, value))
            {
                throw Denied($"Invalid according to Policy: Policy Condition failed: {condition}");
            }
        }

        if (exempt is null)
        {
            return;
        }

        var covered = Conditions.Select(c => c.Field).ToHashSet(StringComparer.Ordinal);
        if (!covered.Contains("bucket"))
        {
            throw Denied($"Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", \"{fields.GetValueOrDefault("bucket")}\"]");
        }

        var extra = fields.Keys.Where(name => !covered.Contains(name) && !exempt(name)).Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
        {
            throw Denied($"Invalid according to Policy: Extra input fields: {string.Join(", ", extra)}");
        }
    }

    private static bool Meets(PostCondition condition, string? value)
    {
        if (!condition.IsPrefix)
        {
            return value == condition.Value;
        }

        value ??= "";
        // A Content-Type may list several types; each must start with the prefix (S3's rule for starts-with on it).
        return condition.Field == "content-type"
            ? value.Split(',').All(part => part.Trim().StartsWith(condition.Value, StringComparison.Ordinal))
            : value.StartsWith(condition.Value, StringComparison.Ordinal);
    }

    private static PostCondition ConditionOf(JsonElement condition)
    {
        if (condition.ValueKind == JsonValueKind.Object)
        {
            var properties = condition.EnumerateObject().ToList();
            if (properties.Count != 1 || properties[0].Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid("Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
            }

            return new PostCondition(properties[0].Name.ToLowerInvariant(), properties[0].Value.GetString()!, IsPrefix: false);
        }

        if (condition.ValueKind != JsonValueKind.Array || condition.GetArrayLength() != 3
            || condition.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw Invalid($"Invalid Policy: Invalid Condition: {condition.GetRawText()}");
        }

        var operation = condition[0].GetString()!.ToLowerInvariant();
        var field = condition[1].GetString()!;
        if (operation is not ("eq" or "starts-with") || !field.StartsWith('$') || field.Length == 1)
        {
            throw Invalid($"Invalid Policy: Invalid Condition: {condition.GetRawText()}");
        }

        return new PostCondition(field[1..].ToLowerInvariant(), condition[2].GetString()!, IsPrefix: operation == "starts-with");
    }

    private static (long, long) LengthRangeOf(JsonElement condition)
    {
        if (condition.GetArrayLength() != 3 || Bound(condition[1]) is not { } min || Bound(condition[2]) is not { } max || min > max)
        {
            throw Invalid($"Invalid Policy: Invalid content-length-range: {condition.GetRawText()}");
        }

        return (min, max);

        static long? Bound(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var number) && number >= 0 => number,
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) => number,
            _ => null,
        };
    }

    private static CofferException Invalid(string message) => new(ErrorCode.InvalidPolicyDocument, message);

    private static CofferException Denied(string message) => new(ErrorCode.AccessDenied, message);
}
