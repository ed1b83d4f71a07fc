using Coffer.Common;

namespace Coffer.Model.Objects;

/// <summary>Where a page of a listing starts and how big it may be.</summary>
/// <param name="Marker">Continue after this key (the V1 marker, the key-marker, the V2 start position).</param>
/// <param name="ResumeInsideMarker">
/// The marker key itself still has entries to list (a version-id-marker or upload-id-marker points inside it);
/// the first scan then starts at the marker and skips what was already listed.
/// </param>
internal sealed record ListingWindow(string Prefix, string? Delimiter, string? Marker, bool ResumeInsideMarker, int MaxKeys);

internal sealed record ListingPage<T>(IReadOnlyList<T> Items, IReadOnlyList<string> CommonPrefixes, bool IsTruncated, string? LastKey, T? LastItem)
    where T : class;

/// <summary>
/// The page walk shared by object, version and upload listings: entries in key order from the marker, rolled up into
/// common prefixes at the delimiter (each rolled-up prefix skipped with a fresh range scan), prefixes and entries
/// counted together against the page size, and truncation reported only when another entry really exists.
/// </summary>
internal static class DelimitedListing
{
    /// <param name="scan">Entries from (key, inclusive, isFirstScan) to the end of the prefix range, in listing order.</param>
    public static ListingPage<T> Collect<T>(
        ListingWindow window,
        Func<string, bool, bool, IEnumerable<T>> scan,
        Func<T, string> keyOf)
        where T : class
    {
        var items = new List<T>();
        var prefixes = new List<string>();
        if (window.MaxKeys == 0)
        {
            return new ListingPage<T>(items, prefixes, false, null, null);
        }

        var delimiter = string.IsNullOrEmpty(window.Delimiter) ? null : window.Delimiter;
        var (from, inclusive) = StartPosition(window, delimiter);
        var firstScan = true;
        string? lastKey = null;
        T? lastItem = null;
        var truncated = false;

        while (from is not null && !truncated)
        {
            string? jumpTo = null;
            foreach (var entry in scan(from, inclusive, firstScan))
            {
                var key = keyOf(entry);
                var commonPrefix = CommonPrefixOf(key, window.Prefix, delimiter);
                if (items.Count + prefixes.Count == window.MaxKeys)
                {
                    truncated = true;
                    break;
                }

                if (commonPrefix is null)
                {
                    items.Add(entry);
                    (lastKey, lastItem) = (key, entry);
                    continue;
                }

                prefixes.Add(commonPrefix);
                (lastKey, lastItem) = (commonPrefix, null);
                jumpTo = ObjectKey.PrefixSuccessor(commonPrefix);
                break;
            }

            firstScan = false;
            if (jumpTo is null)
            {
                break;
            }

            (from, inclusive) = (jumpTo, true);
        }

        return new ListingPage<T>(items, prefixes, truncated, truncated ? lastKey : null, truncated ? lastItem : null);
    }

    /// <summary>The exclusive upper bound of the prefix range, or null for the whole bucket.</summary>
    public static string? UpperBound(string prefix) => prefix.Length == 0 ? null : ObjectKey.PrefixSuccessor(prefix);

    private static (string? From, bool Inclusive) StartPosition(ListingWindow window, string? delimiter)
    {
        var marker = window.Marker;
        if (string.IsNullOrEmpty(marker) || ObjectKey.CompareUtf8(marker, window.Prefix) < 0)
        {
            return (window.Prefix, true);
        }

        // A marker inside a rolled-up prefix means that prefix was already returned: continue after all of it.
        if (CommonPrefixOf(marker, window.Prefix, delimiter) is { } markerPrefix)
        {
            return (ObjectKey.PrefixSuccessor(markerPrefix), true);
        }

        return (marker, window.ResumeInsideMarker);
    }

    private static string? CommonPrefixOf(string key, string prefix, string? delimiter)
    {
        if (delimiter is null || !key.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var index = key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
        return index < 0 ? null : key[..(index + delimiter.Length)];
    }
}
