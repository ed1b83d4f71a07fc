using System.Text;
using Coffer.Storage.Records;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// Split candidates of a key range of one bucket from <c>object_versions</c>' own b-tree, without stepping its rows. The
/// interior pages' cells divide the table into subtrees of about equal size; descending from the root level by level,
/// keeping only the children whose keys can fall in the range, gives dividers inside the range (each a key that exists,
/// or existed, which is all a split point needs to be) until a level gives enough of them. The range's rows are
/// estimated as the subtrees below that level × the rows a few sampled subtrees hold.
/// <para>
/// Null, so that the caller counts exactly, when the pages do not say enough: a range reaching the leaves (small), a
/// level past <see cref="MaxPages"/>, or anything implausible (a page of the wrong kind, a divider out of order or outside
/// its parent's bounds), which is what a page torn by a concurrent checkpoint looks like.
/// </para>
/// </summary>
internal static class PageSplitPoints
{
    /// <summary>The most pages one pass reads: a few MB at most, milliseconds.</summary>
    public const int MaxPages = 4096;

    /// <summary>Subtrees descended to a leaf for the row estimate.</summary>
    private const int EstimateProbes = 16;

    /// <summary>The fewest dividers worth a sample: fewer, and the range is counted exactly.</summary>
    private const int MinDividers = 16;

    /// <summary>
    /// About <paramref name="maxKeys"/> dividers of (bucket, [<paramref name="fromKey"/>, <paramref name="toKey"/>)) in
    /// UTF-8 order, each strictly inside the range, and the range's estimated rows; null when the pages do not give them.
    /// </summary>
    public static KeySample? Read(PageView pages, uint root, long bucket, string fromKey, string? toKey, int maxKeys)
    {
        var low = new KeyPosition(bucket, Encoding.UTF8.GetBytes(fromKey));
        var high = toKey is null ? new KeyPosition(bucket + 1, []) : new KeyPosition(bucket, Encoding.UTF8.GetBytes(toKey));
        var buffer = new byte[pages.PageSize];
        var level = new List<Subtree> { new(root, null, null) };
        var dividers = new List<byte[]>();
        while (true)
        {
            var next = new List<Subtree>();
            foreach (var subtree in level)
            {
                if (pages.Reads >= MaxPages || !pages.Read(subtree.Page, buffer) ||
                    IndexPage.Parse(buffer, subtree.Page, pages.Usable) is not { } page || page.IsLeaf)
                {
                    return null;
                }

                if (!Descend(page, subtree, low, high, next, dividers))
                {
                    return null;
                }
            }

            if (next.Count == 0)
            {
                return null;
            }

            if (dividers.Count >= maxKeys || next.Count + pages.Reads > MaxPages || ChildrenAreLeaves(pages, buffer, next))
            {
                return dividers.Count < MinDividers ? null : Sample(pages, buffer, next, dividers, maxKeys);
            }

            level = next;
        }
    }

    /// <summary>
    /// Adds the children of <paramref name="page"/> whose keys can fall in [low, high) to <paramref name="next"/> and its
    /// dividers strictly inside the range to <paramref name="dividers"/>; false when its cells are out of order or outside
    /// the bounds its parent gave it.
    /// </summary>
    private static bool Descend(IndexPage page, Subtree subtree, KeyPosition low, KeyPosition high, List<Subtree> next, List<byte[]> dividers)
    {
        var lower = subtree.Lower;
        for (var i = 0; i < page.Children.Length; i++)
        {
            var isLast = i == page.Children.Length - 1;
            var position = isLast ? subtree.Upper : page.Positions[i];
            if (!isLast && position is null)
            {
                // A cell that gives no position (an overflowing key): its child is bounded by the next cell's position.
                var upper = NextPosition(page, i) ?? subtree.Upper;
                if (Overlaps(lower, upper, low, high))
                {
                    next.Add(new Subtree(page.Children[i], lower, upper));
                }

                continue;
            }

            if (!isLast && position is { } p)
            {
                if ((lower is { } l && p.CompareTo(l) < 0) || (subtree.Upper is { } u && p.CompareTo(u) > 0))
                {
                    return false;
                }

                if (p.CompareTo(low) > 0 && p.CompareTo(high) < 0 && p.Bucket == low.Bucket &&
                    (dividers.Count == 0 || !dividers[^1].AsSpan().SequenceEqual(p.Key)))
                {
                    dividers.Add(p.Key);
                }
            }

            if (Overlaps(lower, position, low, high))
            {
                next.Add(new Subtree(page.Children[i], lower, position));
            }

            lower = position ?? lower;
        }

        return true;
    }

    private static KeyPosition? NextPosition(IndexPage page, int i)
    {
        for (var j = i + 1; j < page.Positions.Length; j++)
        {
            if (page.Positions[j] is { } p)
            {
                return p;
            }
        }

        return null;
    }

    /// <summary>Whether a subtree holding keys from <paramref name="lower"/> to <paramref name="upper"/> (both inclusive, null unbounded) can hold keys of [low, high).</summary>
    private static bool Overlaps(KeyPosition? lower, KeyPosition? upper, KeyPosition low, KeyPosition high) =>
        (upper is not { } u || u.CompareTo(low) >= 0) && (lower is not { } l || l.CompareTo(high) < 0);

    private static bool ChildrenAreLeaves(PageView pages, byte[] buffer, List<Subtree> children)
    {
        var probe = children[children.Count / 2].Page;
        return !pages.Read(probe, buffer) || IndexPage.Parse(buffer, probe, pages.Usable) is not { } page || page.IsLeaf;
    }

    /// <summary>
    /// The dividers (sorted, already: every level adds them in key order, but an upper level's come before a lower one's)
    /// thinned to about <paramref name="maxKeys"/>, and the rows estimated from <see cref="EstimateProbes"/> subtrees of
    /// <paramref name="subtrees"/>, each descended to a leaf through its middle children.
    /// </summary>
    private static KeySample? Sample(PageView pages, byte[] buffer, List<Subtree> subtrees, List<byte[]> dividers, int maxKeys)
    {
        dividers.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        var distinct = new List<byte[]>(dividers.Count);
        foreach (var divider in dividers)
        {
            if (distinct.Count == 0 || !distinct[^1].AsSpan().SequenceEqual(divider))
            {
                distinct.Add(divider);
            }
        }

        double rows = 0;
        var probes = Math.Min(EstimateProbes, subtrees.Count);
        for (var i = 0; i < probes; i++)
        {
            var page = subtrees[(int)((2L * i + 1) * subtrees.Count / (2L * probes))].Page;
            double below = 1;
            while (true)
            {
                if (pages.Reads >= MaxPages + EstimateProbes * 8 || !pages.Read(page, buffer) ||
                    IndexPage.Parse(buffer, page, pages.Usable) is not { } parsed)
                {
                    return null;
                }

                if (parsed.IsLeaf)
                {
                    rows += below * parsed.Positions.Length;
                    break;
                }

                // An interior cell of a WITHOUT ROWID table is a row too (a tenth of them where records are large).
                rows += below * (parsed.Children.Length - 1);
                below *= parsed.Children.Length;
                page = parsed.Children[parsed.Children.Length / 2];
            }
        }

        var stride = Math.Max(1, (distinct.Count + maxKeys - 1) / Math.Max(1, maxKeys));
        var keys = distinct.Where((_, i) => i % stride == 0).Select(k => Encoding.UTF8.GetString(k)).ToArray();
        return new KeySample((long)Math.Round(rows / probes * subtrees.Count), keys) { Estimated = true };
    }

    private readonly record struct Subtree(uint Page, KeyPosition? Lower, KeyPosition? Upper);
}
