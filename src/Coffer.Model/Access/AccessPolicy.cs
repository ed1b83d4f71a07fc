using System.Globalization;
using System.Net;

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
/// they name inventory delivery and access-log delivery only, never a client request. This file evaluates requests
/// against the statements; reading the JSON is in <c>AccessPolicy.Parsing.cs</c>.
/// </summary>
public sealed partial class AccessPolicy
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
}
