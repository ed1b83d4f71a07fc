using System.Globalization;

namespace Coffer.Protocol.Http;

public static class HttpDates
{
    /// <summary>RFC 1123, as in Date and Last-Modified headers.</summary>
    public static string Rfc1123(DateTimeOffset time) => time.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 with milliseconds, as in XML bodies: <c>2019-05-24T11:49:50.000Z</c>.</summary>
    public static string Iso8601(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// An HTTP date in any of the three forms RFC 9110 (5.6.7) has a recipient accept: IMF-fixdate (RFC 1123), RFC 850,
    /// and asctime's <c>Sun Nov  6 08:49:37 1994</c>, which the general parser does not read.
    /// </summary>
    public static DateTimeOffset? ParseHttpDate(string? value) =>
        DateTimeOffset.TryParseExact(value, "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            || DateTimeOffset.TryParseExact(value, "ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out parsed)
            || DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out parsed)
            ? parsed
            : null;
}
