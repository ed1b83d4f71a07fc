using Coffer.Common;

namespace Coffer.Protocol.Http;

/// <summary>The <c>x-cos-tagging</c> / <c>x-amz-tagging</c> header: tags as a URL-encoded query string, <c>k1=v1&amp;k2=v2</c>.</summary>
public static class TaggingHeader
{
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return [];
        }

        return header.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                return equals < 0
                    ? new KeyValuePair<string, string>(UrlEncoding.Decode(pair, plusIsSpace: true), "")
                    : new KeyValuePair<string, string>(
                        UrlEncoding.Decode(pair.AsSpan(0, equals), plusIsSpace: true),
                        UrlEncoding.Decode(pair.AsSpan(equals + 1), plusIsSpace: true));
            })
            .ToArray();
    }
}
