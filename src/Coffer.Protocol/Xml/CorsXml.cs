using System.Globalization;
using System.Xml.Linq;
using Coffer.Common;
using Coffer.Common.Cors;

namespace Coffer.Protocol.Xml;

/// <summary>
/// PUT Bucket cors's <c>CORSConfiguration</c>: 1 to 100 <c>CORSRule</c>s, each with at least one AllowedOrigin and
/// AllowedMethod (GET, PUT, POST, DELETE, HEAD), optional AllowedHeader, ExposeHeader, MaxAgeSeconds and ID; COS's
/// ResponseVary. Origins and headers take one wildcard at most.
/// </summary>
public static class CorsXml
{
    public static CorsConfiguration Read(XElement root)
    {
        if (root.Name.LocalName != "CORSConfiguration")
        {
            throw new CofferException(ErrorCode.MalformedXml, $"Expected CORSConfiguration, found {root.Name.LocalName}.");
        }

        var rules = root.Elements("CORSRule").Select(ReadRule).ToArray();
        if (rules.Length is 0 or > CorsConfiguration.MaxRules)
        {
            throw new CofferException(ErrorCode.MalformedXml, $"A CORS configuration has 1 to {CorsConfiguration.MaxRules} rules.");
        }

        bool? vary = root.Element("ResponseVary")?.Value.Trim() switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => throw new CofferException(ErrorCode.MalformedXml, "ResponseVary is true or false."),
        };
        return new CorsConfiguration(rules, vary);
    }

    private static CorsRule ReadRule(XElement rule)
    {
        var origins = Values(rule, "AllowedOrigin");
        var methods = Values(rule, "AllowedMethod");
        if (origins.Length == 0 || methods.Length == 0)
        {
            throw new CofferException(ErrorCode.MalformedXml, "Every CORSRule needs an AllowedOrigin and an AllowedMethod.");
        }

        foreach (var method in methods.Where(m => !CorsRule.Methods.Contains(m)))
        {
            throw new CofferException(ErrorCode.InvalidRequest, $"Found unsupported HTTP method in CORS config. Unsupported method is {method}");
        }

        var headers = Values(rule, "AllowedHeader");
        foreach (var wild in origins.Concat(headers).Where(v => v.Count(c => c == '*') > 1))
        {
            throw new CofferException(ErrorCode.InvalidRequest, $"AllowedOrigin or AllowedHeader \"{wild}\" can not have more than one wildcard.");
        }

        int? maxAge = rule.Element("MaxAgeSeconds") is { } age
            ? int.TryParse(age.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? seconds
                : throw new CofferException(ErrorCode.MalformedXml, "MaxAgeSeconds is a number of seconds.")
            : null;
        var exposed = Values(rule, "ExposeHeader");
        // Answered in response headers to every matching browser request: what no header can carry would fail them all.
        foreach (var unprintable in origins.Concat(headers).Concat(exposed).Where(v => !v.All(c => c is >= ' ' and <= '~')))
        {
            throw new CofferException(ErrorCode.InvalidRequest, "AllowedOrigin, AllowedHeader and ExposeHeader must be printable ASCII.");
        }

        var id = rule.Element("ID")?.Value;
        return id is { Length: > 255 }
            ? throw new CofferException(ErrorCode.InvalidArgument, "ID length should not exceed allowed limit of 255")
            : new CorsRule(id, origins, methods, headers, exposed, maxAge);
    }

    private static string[] Values(XElement rule, string name) => rule.Elements(name).Select(e => e.Value.Trim()).ToArray();
}
