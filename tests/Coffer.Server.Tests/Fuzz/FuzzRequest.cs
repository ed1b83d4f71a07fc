using System.Text;
using Coffer.Common;
using Coffer.Protocol.Routing;

namespace Coffer.Server.Tests.Fuzz;

/// <summary>How a fuzzed request is signed: as it should be, or spoiled in one of the ways clients get it wrong.</summary>
internal enum Signing
{
    Valid,
    Anonymous,
    WrongSignature,
    UnknownKey,
    Expired,
    OtherRegion,
    MalformedHeader,
}

/// <summary>
/// One request of the randomized bad-input test, before it is signed: every part a mutation may change. Query
/// parameters are kept decoded and encoded when sent; <see cref="RawQuery"/> is appended as it is (bad escapes).
/// </summary>
internal sealed class FuzzRequest(string operation, Dialect dialect, string method, string? bucket, string? key)
{
    public string Operation { get; } = operation;

    public Dialect Dialect { get; set; } = dialect;

    public string Method { get; set; } = method;

    public string? Bucket { get; set; } = bucket;

    public string? Key { get; set; } = key;

    public List<KeyValuePair<string, string>> Query { get; } = [];

    public string RawQuery { get; set; } = "";

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public byte[]? Body { get; set; }

    public Signing Signing { get; set; } = Signing.Valid;

    /// <summary>The mutations applied, for the failure message (with the seed, enough to replay).</summary>
    public List<string> Mutations { get; } = [];

    public FuzzRequest With(string name, string value = "")
    {
        Query.Add(new(name, value));
        return this;
    }

    public FuzzRequest Header(string name, string value)
    {
        Headers.Add(new(name, value));
        return this;
    }

    public FuzzRequest Content(string body)
    {
        Body = Encoding.UTF8.GetBytes(body);
        return this;
    }

    /// <summary>The query string as sent: names and values percent-encoded, a valueless name alone, then the raw part.</summary>
    public string QueryString()
    {
        var encoded = string.Join("&", Query.Select(p => p.Value.Length == 0 && IsSubResource(p.Key)
            ? UrlEncoding.Encode(p.Key)
            : $"{UrlEncoding.Encode(p.Key)}={UrlEncoding.Encode(p.Value)}"));
        return RawQuery.Length == 0 ? encoded : encoded.Length == 0 ? RawQuery : encoded + "&" + RawQuery;
    }

    public override string ToString() =>
        $"{Operation} [{Dialect}] {Method} /{Bucket}/{Escape(Key ?? "")}?{Escape(QueryString())} signing={Signing} " +
        $"headers=[{string.Join("; ", Headers.Select(h => $"{h.Key}: {Escape(h.Value)}"))}] body={Body?.Length ?? 0}B " +
        $"mutations=[{string.Join(", ", Mutations)}]";

    private static bool IsSubResource(string name) => name is "uploads" or "versions" or "versioning" or "delete" or "tagging" or "policy" or "acl"
        or "encryption" or "inventory" or "inventory-runs" or "inventory-run" or "location" or "uploadId";

    private static string Escape(string text) => string.Concat(text.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));
}
