using Coffer.Common;

namespace Coffer.Model.Objects;

/// <summary>A single HTTP byte range: <c>bytes=a-b</c>, <c>bytes=a-</c>, or the suffix form <c>bytes=-n</c>.</summary>
public readonly record struct ByteRange(long? First, long? Last)
{
    /// <summary>Parses a Range header. Null when the header is absent or not a single byte range (then the whole object is sent).</summary>
    public static ByteRange? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header) || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var spec = header[6..].Trim();
        if (spec.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }

        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return null;
        }

        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        long? firstValue = first.Length == 0 ? null : long.TryParse(first, out var f) && f >= 0 ? f : -1;
        long? lastValue = last.Length == 0 ? null : long.TryParse(last, out var l) && l >= 0 ? l : -1;
        if (firstValue == -1 || lastValue == -1 || (firstValue is null && lastValue is null))
        {
            return null;
        }

        if (firstValue is { } a && lastValue is { } b && b < a)
        {
            return null;
        }

        return new ByteRange(firstValue, lastValue);
    }

    /// <summary>Offset and length within an object of <paramref name="size"/> bytes, or InvalidRange when none of it exists.</summary>
    public (long Offset, long Length) Resolve(long size)
    {
        if (First is null)
        {
            var suffix = Math.Min(Last!.Value, size);
            if (suffix == 0)
            {
                throw Unsatisfiable(size);
            }

            return (size - suffix, suffix);
        }

        if (First.Value >= size)
        {
            throw Unsatisfiable(size);
        }

        var end = Last is { } last ? Math.Min(last, size - 1) : size - 1;
        return (First.Value, end - First.Value + 1);
    }

    /// <summary>With the object's size in <c>Content-Range: bytes */size</c>, as RFC 9110 has a 416 say (and S3 does).</summary>
    private static CofferException Unsatisfiable(long size) =>
        new(ErrorCode.InvalidRange, $"The requested range is not satisfiable for an object of {size} bytes.")
        {
            ResponseHeaders = [new("Content-Range", $"bytes */{size}")],
        };
}
