using System.Text.Json;
using Coffer.Common;

namespace Coffer.Model.Access;

/// <summary>
/// Reading a policy's JSON in either grammar into statements, with the operators and context keys of both dialects
/// folded into one spelling; <see cref="RequireEvaluableConditions"/> refuses a new policy this service could not enforce.
/// </summary>
public sealed partial class AccessPolicy
{
    /// <summary>
    /// Reads a policy. A bucket policy's statements must name principals; an identity's policy must not. Anything that
    /// cannot be evaluated exactly is MalformedPolicy.
    /// </summary>
    public static AccessPolicy Parse(ReadOnlySpan<byte> json, bool bucketPolicy)
    {
        if (json.Length > MaxBytes)
        {
            throw Malformed($"Policies are limited to {MaxBytes} bytes.");
        }

        // JSON text is UTF-8 (RFC 8259); the parser checks structure, not the bytes inside strings.
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            throw Malformed("The policy is not valid UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException error)
        {
            throw Malformed($"The policy is not valid JSON: {error.Message}");
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement, bucketPolicy);
            }
            catch (InvalidOperationException error)
            {
                // A string that is not text (an escaped lone surrogate, say) cannot be read as one.
                throw Malformed($"The policy is not valid JSON text: {error.Message}");
            }
        }
    }

    private static AccessPolicy Read(JsonElement root, bool bucketPolicy)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("The policy must be a JSON object.");
        }

        var version = Text(Member(root, "version"));
        if (version is not ("2.0" or "2012-10-17" or "2008-10-17"))
        {
            throw Malformed("The policy version must be \"2.0\" (or AWS's \"2012-10-17\").");
        }

        // CAM's grammar (version 2.0) lets a policy name its principal once, at the top, for every statement that names
        // none; a statement's own principal wins. AWS's grammar has no top-level principal: there it is MalformedPolicy.
        var shared = bucketPolicy && version == "2.0" ? Member(root, "principal") : null;
        var statements = Member(root, "statement") is { } list
            ? list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().Select(s => Statement(s, bucketPolicy, shared)).ToArray() : [Statement(list, bucketPolicy, shared)]
            : throw Malformed("The policy has no statement.");
        return statements.Length > 0 ? new AccessPolicy(statements) : throw Malformed("The policy has no statement.");
    }

    private static PolicyStatement Statement(JsonElement element, bool bucketPolicy, JsonElement? sharedPrincipal)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("A statement must be a JSON object.");
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.ToLowerInvariant() is not ("sid" or "effect" or "principal" or "action" or "resource" or "condition"))
            {
                throw Malformed($"Statements do not support '{property.Name}'.");
            }
        }

        var effect = Text(Member(element, "effect"))?.ToLowerInvariant() switch
        {
            "allow" => PolicyEffect.Allow,
            "deny" => PolicyEffect.Deny,
            _ => throw Malformed("A statement's effect must be allow or deny."),
        };
        var principal = Member(element, "principal") ?? sharedPrincipal;
        if (bucketPolicy != principal.HasValue)
        {
            throw Malformed(bucketPolicy ? "A bucket policy statement must name its principal." : "An identity's policy names no principal.");
        }

        var actions = Strings(Member(element, "action"), "action").Select(a => a.StartsWith("name/", StringComparison.OrdinalIgnoreCase) ? a[5..] : a).ToArray();
        var resources = Strings(Member(element, "resource"), "resource");
        var conditions = Member(element, "condition") is { } condition ? Conditions(condition) : [];
        return new PolicyStatement(effect, principal is { } p ? Principals(p) : null, actions, resources, conditions);
    }

    private static string[] Principals(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return element.GetString() == "*" ? [Anyone] : throw Malformed("A principal must be \"*\" or an object of principal lists.");
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("A principal must be \"*\" or an object of principal lists.");
        }

        var principals = new List<string>();
        foreach (var list in element.EnumerateObject())
        {
            foreach (var value in Strings(list.Value, "principal"))
            {
                principals.Add(list.Name.ToLowerInvariant() switch
                {
                    "qcs" => QcsPrincipal(value),
                    "aws" => AwsPrincipal(value),
                    "service" => ServicePrincipal(value),
                    _ => throw Malformed($"Unknown principal type '{list.Name}'."),
                });
            }
        }

        return principals.Count > 0 ? [.. principals] : throw Malformed("A principal lists no one.");
    }

    private static string QcsPrincipal(string value)
    {
        if (value is "*" or "qcs::cam::anyone:anyone")
        {
            return Anyone;
        }

        var parts = value.StartsWith("qcs::cam::uin/", StringComparison.Ordinal) ? value["qcs::cam::uin/".Length..].Split(":uin/") : [];
        return parts.Length == 2 && parts.All(IsUin) ? value : throw Malformed($"Principal '{value}' is not qcs::cam::uin/<uin>:uin/<uin> or anyone.");
    }

    private static string AwsPrincipal(string value)
    {
        if (value == "*")
        {
            return Anyone;
        }

        var uin = value.StartsWith("arn:aws:iam::", StringComparison.Ordinal) && value.EndsWith(":root", StringComparison.Ordinal)
            ? value["arn:aws:iam::".Length..^":root".Length]
            : value;
        return IsUin(uin) ? $"qcs::cam::uin/{uin}:uin/{uin}" : throw Malformed($"Principal '{value}' is not an account.");
    }

    private static string ServicePrincipal(string value) =>
        value.Equals("s3.amazonaws.com", StringComparison.OrdinalIgnoreCase) ? InventoryService
        : value.Equals("logging.s3.amazonaws.com", StringComparison.OrdinalIgnoreCase) ? LoggingService
        : throw Malformed($"Service principal '{value}' is not supported: the services that act on buckets here are s3.amazonaws.com (inventory delivery) and logging.s3.amazonaws.com (access logs).");

    private static bool IsUin(string value) => value.Length is > 0 and <= 20 && value.All(char.IsAsciiDigit);

    private static PolicyCondition[] Conditions(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("A condition must be a JSON object.");
        }

        var conditions = new List<PolicyCondition>();
        foreach (var block in element.EnumerateObject())
        {
            var (op, ifExists) = Operator(block.Name);
            if (block.Value.ValueKind != JsonValueKind.Object)
            {
                throw Malformed($"Condition '{block.Name}' must map keys to values.");
            }

            foreach (var key in block.Value.EnumerateObject())
            {
                var values = ConditionValues(key.Value);
                if (op.StartsWith("ip_", StringComparison.Ordinal) && values.Any(v => !TryParseRange(v, out _)))
                {
                    throw Malformed($"Condition '{block.Name}' needs IP addresses or CIDR ranges.");
                }

                if (op.StartsWith("numeric_", StringComparison.Ordinal) && values.Any(v => Number(v) is null))
                {
                    throw Malformed($"Condition '{block.Name}' needs numbers.");
                }

                if (op is "bool_equal" or "null" && !values.All(v => bool.TryParse(v, out _)))
                {
                    throw Malformed($"Condition '{block.Name}' needs true or false.");
                }

                conditions.Add(new PolicyCondition(op, ContextKey(key.Name), values) { WrittenKey = key.Name, IfExists = ifExists });
            }
        }

        return [.. conditions];
    }

    /// <summary>
    /// Refuses a new policy that tests a condition key no request here carries (S3's <c>s3:ExistingObjectTag/…</c>,
    /// <c>aws:SecureTransport</c>, …): such a condition never holds, so a Deny on it would be silently void and an
    /// Allow silently dead. NotImplemented names the key. Checked when a policy is put, not when a stored one is read.
    /// </summary>
    public void RequireEvaluableConditions()
    {
        if (Statements.SelectMany(s => s.Conditions).FirstOrDefault(c => !IsEvaluated(c.Key)) is { } condition)
        {
            throw new CofferException(ErrorCode.NotImplemented,
                $"Condition key '{condition.WrittenKey ?? condition.Key}' is not implemented: no request here carries a value for it, so the policy could not be enforced.");
        }
    }

    /// <summary>
    /// The condition keys requests carry: the source address, the listing parameters, the request's own
    /// <c>x-cos-*</c> / <c>x-amz-*</c> headers (S3's <c>s3:x-amz-acl</c>, <c>s3:x-amz-server-side-encryption</c>, …),
    /// its Content-Type and Content-Length, the <c>response-content-type</c> parameter, whether it came over HTTPS, its
    /// Referer and User-Agent (<c>aws:Referer</c>, <c>aws:UserAgent</c>),
    /// and what inventory delivery names (<see cref="InventoryService"/>).
    /// </summary>
    private static bool IsEvaluated(string key) =>
        key is "qcs:ip" or "cos:prefix" or "cos:delimiter" or "cos:versionid" or "cos:max-keys" or "aws:sourcearn" or "aws:sourceaccount"
            or "cos:content-type" or "cos:content-length" or "cos:response-content-type" or "cos:secure-transport"
            or "aws:referer" or "aws:useragent"
        || key.StartsWith(HeaderKeyPrefix, StringComparison.Ordinal);

    /// <summary>The condition key of a request header, as <see cref="ContextKey"/> names it in either dialect.</summary>
    public static string HeaderKey(string headerSuffix) => HeaderKeyPrefix + headerSuffix.ToLowerInvariant();

    /// <summary>The prefix of the condition keys of request headers; the rest is the header name after the dialect's prefix.</summary>
    public const string HeaderKeyPrefix = "cos:x-cos-";

    /// <summary>
    /// COS spells operators <c>string_equal</c>, AWS <c>StringEquals</c>: both become the COS spelling. An operator's
    /// <c>…IfExists</c> form (COS: <c>…_if_exist</c>) is the operator with <see cref="PolicyCondition.IfExists"/>; AWS's
    /// <c>Null</c> and COS's <c>null_equal</c> are <c>null</c>. Operators the two define that are not evaluated here
    /// (dates, binary, set operators) are NotImplemented, naming the operator; a name neither defines is MalformedPolicy.
    /// </summary>
    private static (string Operator, bool IfExists) Operator(string name)
    {
        var folded = name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var ifExists = !folded.Contains(':', StringComparison.Ordinal) && (folded.EndsWith("ifexists", StringComparison.Ordinal) || folded.EndsWith("ifexist", StringComparison.Ordinal));
        if (ifExists && !name.EndsWith(name.Contains('_', StringComparison.Ordinal) ? "_if_exist" : "IfExists", StringComparison.OrdinalIgnoreCase))
        {
            // Each dialect spells the suffix its own way: AWS StringEqualsIfExists, COS string_equal_if_exist.
            throw Malformed($"Condition operator '{name}' is not supported.");
        }

        var baseName = ifExists ? folded[..folded.LastIndexOf("ifexist", StringComparison.Ordinal)] : folded;
        var op = baseName switch
        {
            "stringequal" or "stringequals" => "string_equal",
            "stringnotequal" or "stringnotequals" => "string_not_equal",
            "stringlike" => "string_like",
            "stringnotlike" => "string_not_like",
            "ipequal" or "ipaddress" => "ip_equal",
            "ipnotequal" or "notipaddress" => "ip_not_equal",
            "arnlike" or "arnequals" => "arn_like",
            "arnnotlike" or "arnnotequals" => "arn_not_like",
            "boolequal" or "bool" => "bool_equal",
            "numericequal" or "numericequals" => "numeric_equal",
            "numericnotequal" or "numericnotequals" => "numeric_not_equal",
            "numericlessthan" => "numeric_less_than",
            "numericlessthanequal" or "numericlessthanequals" => "numeric_less_than_equal",
            "numericgreaterthan" => "numeric_greater_than",
            "numericgreaterthanequal" or "numericgreaterthanequals" => "numeric_greater_than_equal",
            // Null tests presence itself, so it has no IfExists form.
            "null" or "nullequal" when !ifExists => "null",
            _ => null,
        };
        if (op is not null)
        {
            return (op, ifExists);
        }

        if (IsDefinedElsewhere(baseName))
        {
            throw new CofferException(ErrorCode.NotImplemented, $"Condition operator '{name}' is not implemented.");
        }

        throw Malformed($"Condition operator '{name}' is not supported.");
    }

    /// <summary>Operators AWS or COS define that are not evaluated here (names folded: lower case, no underscores, no IfExists).</summary>
    private static bool IsDefinedElsewhere(string folded) =>
        folded.StartsWith("foranyvalue:", StringComparison.Ordinal) || folded.StartsWith("forallvalue", StringComparison.Ordinal)
        || folded is "binaryequals" or "binarynotequals"
        || (folded.StartsWith("date", StringComparison.Ordinal) && folded.Length > "date".Length);

    /// <summary>Context keys in either dialect become one name: <c>qcs:ip</c>, <c>cos:prefix</c>, <c>cos:x-cos-acl</c> (also <c>s3:x-amz-acl</c>), ...</summary>
    private static string ContextKey(string key) => key.ToLowerInvariant() switch
    {
        "aws:sourceip" => "qcs:ip",
        "aws:securetransport" => "cos:secure-transport",
        var k when k.StartsWith("s3:x-amz-", StringComparison.Ordinal) => HeaderKey(k["s3:x-amz-".Length..]),
        var k when k.StartsWith("s3:", StringComparison.Ordinal) => "cos:" + k[3..],
        var k => k,
    };

    /// <summary>A condition's values: strings, or JSON numbers and booleans as AWS also writes them (<c>10</c>, <c>true</c>).</summary>
    private static string[] ConditionValues(JsonElement element)
    {
        JsonElement[] items = element.ValueKind == JsonValueKind.Array ? [.. element.EnumerateArray()] : [element];
        var values = items.Select(ScalarText).OfType<string>().ToArray();
        return values.Length > 0 && values.Length == items.Length
            ? values
            : throw Malformed("A condition value must be a string, number or boolean, or a non-empty list of them.");
    }

    private static string? ScalarText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static string[] Strings(JsonElement? element, string what) => element switch
    {
        { ValueKind: JsonValueKind.String } single => [single.GetString()!],
        { ValueKind: JsonValueKind.Array } list when list.GetArrayLength() > 0 && list.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) =>
            list.EnumerateArray().Select(v => v.GetString()!).ToArray(),
        _ => throw Malformed($"A statement's {what} must be a string or a non-empty list of strings."),
    };

    /// <summary>A member's text, or null when it is absent or not a string (a number where text belongs is malformed, not a crash).</summary>
    private static string? Text(JsonElement? element) => element is { ValueKind: JsonValueKind.String } text ? text.GetString() : null;

    private static JsonElement? Member(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static CofferException Malformed(string message) => new(ErrorCode.MalformedPolicy, message);
}
