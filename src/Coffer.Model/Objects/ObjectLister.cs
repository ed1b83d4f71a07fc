using Coffer.Common;
using Coffer.Storage;
using Coffer.Storage.Records;

namespace Coffer.Model.Objects;

/// <summary>
/// One page of a listing: walks the latest versions in key order from the marker, skips delete markers, and
/// rolls keys up into common prefixes at the delimiter, jumping over each rolled-up prefix with a new range scan.
/// </summary>
internal sealed class ObjectLister(IMetadataReader reader, long bucketId, ListObjectsQuery query)
{
    public ListObjectsPage List(Func<ObjectVersionRecord, ObjectInfo> toInfo)
    {
        var objects = new List<ObjectInfo>();
        if (query.MaxKeys == 0)
        {
            return new ListObjectsPage(objects, [], false, null);
        }

        var prefixes = new List<string>();
        var delimiter = string.IsNullOrEmpty(query.Delimiter) ? null : query.Delimiter;
        var upperBound = query.Prefix.Length == 0 ? null : ObjectKey.PrefixSuccessor(query.Prefix);
        var (from, inclusive) = StartPosition(delimiter);
        string? lastReturned = null;
        var truncated = false;

        while (from is not null && !truncated)
        {
            string? jumpTo = null;
            foreach (var version in reader.ScanLatest(bucketId, from, inclusive, upperBound))
            {
                if (version.IsDeleteMarker)
                {
                    continue;
                }

                var commonPrefix = CommonPrefixOf(version.Key, delimiter);
                if (objects.Count + prefixes.Count == query.MaxKeys)
                {
                    truncated = true;
                    break;
                }

                if (commonPrefix is null)
                {
                    objects.Add(toInfo(version));
                    lastReturned = version.Key;
                    continue;
                }

                prefixes.Add(commonPrefix);
                lastReturned = commonPrefix;
                jumpTo = ObjectKey.PrefixSuccessor(commonPrefix);
                break;
            }

            if (jumpTo is null)
            {
                break;
            }

            (from, inclusive) = (jumpTo, true);
        }

        return new ListObjectsPage(objects, prefixes, truncated, truncated ? lastReturned : null);
    }

    private (string? From, bool Inclusive) StartPosition(string? delimiter)
    {
        var after = query.After;
        if (string.IsNullOrEmpty(after) || ObjectKey.CompareUtf8(after, query.Prefix) < 0)
        {
            return (query.Prefix, true);
        }

        // A marker inside a rolled-up prefix means that prefix was already returned: continue after all of it.
        if (CommonPrefixOf(after, delimiter) is { } markerPrefix)
        {
            return (ObjectKey.PrefixSuccessor(markerPrefix), true);
        }

        return (after, false);
    }

    private string? CommonPrefixOf(string key, string? delimiter)
    {
        if (delimiter is null || !key.StartsWith(query.Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var index = key.IndexOf(delimiter, query.Prefix.Length, StringComparison.Ordinal);
        return index < 0 ? null : key[..(index + delimiter.Length)];
    }
}
