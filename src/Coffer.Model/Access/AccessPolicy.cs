using System.Globalization;
using System.Net;
using System.Text.Json;
using Coffer.Common;

namespace Coffer.Model.Access;

public enum PolicyEffect
{
    Allow,
    Deny,
}

/// <summary>What a policy says of a request: nothing, allow, or deny (which wins over any allow).</summary>
public enum PolicyDecision
{
    NotApplicable,
    Allow,
    Deny,
}

/// <summary>A condition of a statement: an operator, a context key, and the values it compares with.</summary>
public sealed record PolicyCondition(string Operator, string Key, IReadOnlyList<string> Values)
{
    /// <summary>The key as the policy spells it (<c>s3:ExistingObjectTag/team</c> for the <see cref="Key"/> <c>cos:existingobjecttag/team</c>), for messages.</summary>
    internal string? WrittenKey { get; init; }

    /// <summary>
    /// The operator's <c>…IfExists</c> form (COS's <c>…_if_exist</c>): the condition holds when the request carries no
    /// value for the key, and <see cref="Operator"/> decides otherwise.
    /// </summary>
    public bool IfExists { get; init; }
}

/// <param name="Principals">Who the statement is about (normalised, see <see cref="AccessPolicy"/>); null in an identity's
/// own policy, which is about that identity.</param>
public sealed record PolicyStatement(
    PolicyEffect Effect,
    IReadOnlyList<string>? Principals,
    IReadOnlyList<string> Actions,
    IReadOnlyList<string> Resources,
    IReadOnlyList<PolicyCondition> Conditions);

/// <summary>
/// A COS access policy (CAM policy syntax version 2.0), also read in AWS's syntax (version 2012-10-17). Element names are
/// read in any case (COS's own examples mix <c>statement</c> and <c>Statement</c>). Principals are normalised to
/// <c>qcs::cam::uin/&lt;root&gt;:uin/&lt;uin&gt;</c>, or <see cref="Anyone"/>; AWS account principals
/// (<c>arn:aws:iam::&lt;uin&gt;:root</c> or a bare uin) name that root account. Actions keep their namespace
/// (<c>cos:GetObject</c>, <c>s3:GetObject</c>, without COS's <c>name/</c> prefix); resources are matched as written
/// (<c>qcs::cos:&lt;region&gt;:uid/&lt;appid&gt;:&lt;bucket&gt;/&lt;key&gt;</c> or <c>arn:aws:s3:::&lt;bucket&gt;/&lt;key&gt;</c>),
/// with <c>*</c> and <c>?</c> as wildcards. The service principals, <c>{"Service": "s3.amazonaws.com"}</c> and
/// <c>{"Service": "logging.s3.amazonaws.com"}</c>, are <see cref="InventoryService"/> and <see cref="LoggingService"/>:
/// they name inventory delivery and access-log delivery only, never a client request.
/// </summary>
public sealed class AccessPolicy
{
    /// <summary>Everyone, signed or not.</summary>
    public const string Anyone = "*";

    /// <summary>The service that delivers inventory reports, as AWS's destination policy names it.</summary>
    public const string InventoryService = "service:s3.amazonaws.com";

    /// <summary>The service that writes server access logs, as AWS's target bucket policy names it.</summary>
    public const string LoggingService = "service:logging.s3.amazonaws.com";

    /// <summary>The largest policy document accepted (S3's bucket policy limit).</summary>
    public const int MaxBytes = 20 * 1024;

    private AccessPolicy(IReadOnlyList<PolicyStatement> statements)
    {
        Statements = statements;
    }

    public IReadOnlyList<PolicyStatement> Statements { get; }

    // Condition keys that pin an allow to known callers or places; an allow for everyone without one of them is public.
    private static readonly HashSet<string> PinningKeys = new(StringComparer.Ordinal)
    {
        "qcs:ip", "aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourcevpc", "aws:sourcevpce", "aws:principalaccount",
        "aws:principalorgid", "aws:principalarn", "aws:userid", "qcs:vpc",
    };

    /// <summary>
    /// Whether the policy is public as S3's public access block judges it: a statement allows everyone without a
    /// condition that pins the source address, account, ARN, network or organisation.
    /// </summary>
    public bool IsPublic => Statements.Any(s => s.Effect == PolicyEffect.Allow && s.Principals is { } principals && principals.Contains(Anyone)
        && !s.Conditions.Any(Pins));

    /// <summary>
    /// Whether a condition holds only for fixed values of a pinning key: a positive match on values without wildcards.
    /// A negated operator, an <c>…IfExists</c> form (which holds when the key is absent), a wildcard value or an address
    /// range broader than S3 treats as fixed pins nothing.
    /// </summary>
    private static bool Pins(PolicyCondition condition) =>
        PinningKeys.Contains(condition.Key) && !condition.IfExists
        && (condition.Operator == "ip_equal" && condition.Values.All(IsNarrowRange)
            || (condition.Operator is "string_equal" or "string_like" or "arn_like" && !condition.Values.Any(v => v.Contains('*') || v.Contains('?'))));

    /// <summary>
    /// S3 counts a source-address range broader than /8 (IPv4) or /32 (IPv6) as public, so such a range pins nothing.
    /// </summary>
    private static bool IsNarrowRange(string value) =>
        TryParseRange(value, out var range)
        && range.PrefixLength >= (range.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 32 : 8);

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

    /// <summary>What this policy says of <paramref name="request"/> made by <paramref name="principal"/> (null: anonymous).</summary>
    public PolicyDecision Evaluate(AccessRequest request, Func<string, bool>? principal)
    {
        var decision = PolicyDecision.NotApplicable;
        foreach (var statement in Statements)
        {
            if (!Applies(statement, request, principal))
            {
                continue;
            }

            if (statement.Effect == PolicyEffect.Deny)
            {
                return PolicyDecision.Deny;
            }

            decision = PolicyDecision.Allow;
        }

        return decision;
    }

    /// <summary>Whether <paramref name="text"/> matches <paramref name="pattern"/> (<c>*</c> any run, <c>?</c> one character), ignoring case when asked.</summary>
    public static bool Like(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text, bool ignoreCase = false)
    {
        // Greedy matching with one backtrack point: linear in practice, no recursion on hostile patterns.
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || Same(pattern[p], text[t], ignoreCase)))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static bool Same(char a, char b, bool ignoreCase) => ignoreCase ? char.ToUpperInvariant(a) == char.ToUpperInvariant(b) : a == b;

    private static bool Applies(PolicyStatement statement, AccessRequest request, Func<string, bool>? principal)
    {
        if (statement.Principals is { } principals && !principals.Any(p => p == Anyone || (principal is not null && principal(p))))
        {
            return false;
        }

        return statement.Actions.Any(action => ActionMatches(action, request))
            && statement.Resources.Any(resource => request.Resources.Any(r => Like(resource, r)))
            && statement.Conditions.All(condition => Holds(condition, request));
    }

    private static bool ActionMatches(string pattern, AccessRequest request)
    {
        if (pattern == "*")
        {
            return true;
        }

        return request.Actions.Any(action => Like(pattern, action, ignoreCase: true));
    }

    private static bool Holds(PolicyCondition condition, AccessRequest request)
    {
        var value = request.Context(condition.Key);
        if (value is null && condition.IfExists)
        {
            return true;
        }

        return condition.Operator switch
        {
            "null" => condition.Values.Any(v => bool.Parse(v) == (value is null)),
            "string_equal" => value is not null && condition.Values.Contains(value, StringComparer.Ordinal),
            "string_not_equal" => value is null || !condition.Values.Contains(value, StringComparer.Ordinal),
            "string_like" => value is not null && condition.Values.Any(v => Like(v, value)),
            "string_not_like" => value is null || !condition.Values.Any(v => Like(v, value)),
            "ip_equal" => value is not null && condition.Values.Any(v => InNetwork(v, value)),
            "ip_not_equal" => value is null || !condition.Values.Any(v => InNetwork(v, value)),
            "arn_like" => value is not null && condition.Values.Any(v => ArnLike(v, value)),
            "arn_not_like" => value is null || !condition.Values.Any(v => ArnLike(v, value)),
            "bool_equal" => value is not null && condition.Values.Contains(value, StringComparer.OrdinalIgnoreCase),
            "numeric_equal" => Compares(condition, value, c => c == 0),
            "numeric_not_equal" => !Compares(condition, value, c => c == 0),
            "numeric_less_than" => Compares(condition, value, c => c < 0),
            "numeric_less_than_equal" => Compares(condition, value, c => c <= 0),
            "numeric_greater_than" => Compares(condition, value, c => c > 0),
            "numeric_greater_than_equal" => Compares(condition, value, c => c >= 0),
            _ => false,
        };
    }

    /// <summary>Whether the request's number compared with one of the policy's (checked numbers at PUT) passes <paramref name="test"/>.</summary>
    private static bool Compares(PolicyCondition condition, string? value, Func<int, bool> test) =>
        Number(value) is { } actual && condition.Values.Any(v => Number(v) is { } limit && test(actual.CompareTo(limit)));

    private static decimal? Number(string? text) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>ARNs compare component by component (six, split at colons), each with <c>*</c> and <c>?</c> as wildcards.</summary>
    private static bool ArnLike(string pattern, string arn)
    {
        var patterns = pattern.Split(':', 6);
        var parts = arn.Split(':', 6);
        return patterns.Length == parts.Length && patterns.Zip(parts).All(p => Like(p.First, p.Second));
    }

    private static bool InNetwork(string network, string address) =>
        IPAddress.TryParse(address, out var ip) && TryParseRange(network, out var range) && range.Contains(Unmapped(ip));

    /// <summary>A condition's address value as a range: a CIDR range as written, a single address as its own /32 or /128.</summary>
    private static bool TryParseRange(string value, out IPNetwork range) => IPNetwork.TryParse(value.Contains('/') ? value : Host(value), out range);

    private static string Host(string address) => IPAddress.TryParse(address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? $"{address}/128"
        : $"{address}/32";

    private static IPAddress Unmapped(IPAddress ip) => ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;

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
        key is "qcs:ip" or "cos:prefix" or "cos:delimiter" or "cos:versionid" or "aws:sourcearn" or "aws:sourceaccount"
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
