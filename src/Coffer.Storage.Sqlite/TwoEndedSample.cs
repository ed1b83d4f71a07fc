using System.Runtime.ExceptionServices;
using System.Text;
using Coffer.Storage.Records;

namespace Coffer.Storage.Sqlite;

/// <summary>
/// A key sample of a range read from both of its ends at once, each end a scan on a read connection of its own, until
/// the two meet: on a machine with a core to spare, about half the wall time of one pass. Both scans must see the same
/// rows (reads at a pinned instant do, whatever their read transaction).
/// <para>
/// Each end steps a chunk of keys ahead, then, under a lock, keeps the leading keys strictly short of the other end's
/// last counted key and publishes its own last one before it counts them; it stops at the first key it may not keep.
/// So a key is counted by one end only, with all its rows, and none is missed: every row up to where the forward end
/// stopped is the forward end's, every row after it the backward end's. Each end keeps every k-th key as
/// <see cref="StrideSample"/> does; the two samples are brought to one stride and joined.
/// </para>
/// </summary>
internal sealed class TwoEndedSample
{
    /// <summary>Rows an end steps between two looks at the other end: a lock taken that rarely costs nothing.</summary>
    private const int ChunkRows = 256;

    private readonly Lock _gate = new();
    private byte[]? _forwardLast, _backwardLast;
    private volatile bool _failed;

    /// <summary>
    /// The sample of the rows that <paramref name="openForward"/> (in ascending key order) and <paramref name="openBackward"/>
    /// (descending) step, each opened and read on a thread of its own; about <paramref name="maxKeys"/> keys.
    /// </summary>
    public static KeySample Read(Func<VersionScan> openForward, Func<VersionScan> openBackward, int maxKeys)
    {
        var sample = new TwoEndedSample();
        var (forward, backward) = (new StrideSample(maxKeys), new StrideSample(maxKeys));
        var ends = new[]
        {
            Task.Run(() => sample.Scan(openForward, forward, descending: false)),
            Task.Run(() => sample.Scan(openBackward, backward, descending: true)),
        };
        try
        {
            Task.WaitAll(ends);
        }
        catch (AggregateException error)
        {
            ExceptionDispatchInfo.Throw(error.Flatten().InnerExceptions[0]);
        }

        return sample.Join(forward, backward, maxKeys);
    }

    private void Scan(Func<VersionScan> open, StrideSample sample, bool descending)
    {
        try
        {
            using var scan = open();
            var chunk = new KeyChunk(ChunkRows);
            var more = true;
            while (more && !_failed)
            {
                chunk.Clear();
                more = scan.ReadKeys(chunk, ChunkRows);
                int kept;
                lock (_gate)
                {
                    kept = chunk.CountBefore(descending ? _forwardLast : _backwardLast, descending);
                    if (kept > 0)
                    {
                        var last = chunk[kept - 1].ToArray();
                        if (descending)
                        {
                            _backwardLast = last;
                        }
                        else
                        {
                            _forwardLast = last;
                        }
                    }
                }

                for (var i = 0; i < kept; i++)
                {
                    if (sample.Next())
                    {
                        sample.Keep(Encoding.UTF8.GetString(chunk[i]));
                    }
                }

                more &= kept == chunk.Count;
            }
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    /// <summary>
    /// Both samples at one stride, the backward one turned round after the forward one; the range's first key leads, as in
    /// a one-pass sample, even when the backward end counted every row.
    /// </summary>
    private KeySample Join(StrideSample forward, StrideSample backward, int maxKeys)
    {
        while (forward.Stride < backward.Stride)
        {
            forward.Halve();
        }

        while (backward.Stride < forward.Stride)
        {
            backward.Halve();
        }

        // Halving keeps a lone key, so two keys are as few as the two ends get down to.
        while (forward.Keys.Count + backward.Keys.Count >= 2 * Math.Max(1, maxKeys) && (forward.Keys.Count > 1 || backward.Keys.Count > 1))
        {
            forward.Halve();
            backward.Halve();
        }

        var keys = new List<string>(forward.Keys.Count + backward.Keys.Count + 1);
        keys.AddRange(forward.Keys);
        if (forward.Rows == 0 && _backwardLast is { } first && (backward.Rows - 1) % backward.Stride != 0)
        {
            keys.Add(Encoding.UTF8.GetString(first));
        }

        keys.AddRange(Enumerable.Reverse(backward.Keys));
        return new KeySample(forward.Rows + backward.Rows, keys);
    }
}
