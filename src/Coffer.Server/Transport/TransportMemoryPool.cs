using System.Buffers;
using System.Collections.Concurrent;

namespace Coffer.Server.Transport;

/// <summary>
/// The memory Kestrel's socket transport receives into and its pipes are made of, in blocks of <see cref="BlockSize"/>
/// bytes instead of the default pool's 4 KiB. A pipe fills the whole block it rents, so one socket receive can take up
/// to a block of a request body: a large upload arrives in a quarter of the receives (and of the pipe's hand-overs to
/// the request stream) that 4 KiB blocks take. Blocks are pinned (sockets read into them) and come back when a read of
/// them completes, so an idle keep-alive connection holds none (Kestrel waits for data before it rents a receive block);
/// a connection whose request is not read yet holds its blocks, four times the default's each.
/// At most <see cref="MaxIdleBlocks"/> returned blocks are kept for reuse; the rest go back to the garbage collector.
/// </summary>
public sealed class TransportMemoryPool : MemoryPool<byte>
{
    /// <summary>
    /// The block size (16 KiB), measured in docs/performance.md ("Large objects"): it takes most of the CPU a GiB that
    /// 64 KiB took off the 4 KiB default, for a quarter of the memory a connection holds while its request waits.
    /// </summary>
    public const int DefaultBlockSize = 16 * 1024;

    /// <summary>The blocks kept for reuse (64: 1 MiB at the default size), about what a few connections streaming large bodies use at once.</summary>
    public const int DefaultMaxIdleBlocks = 64;

    private readonly ConcurrentQueue<byte[]> _idle = new();
    private readonly Action<TransportMemoryPool>? _disposed;
    private int _idleCount;
    private long _rentedBlocks;
    private long _allocatedBlocks;
    private long _rents;
    private volatile bool _isDisposed;

    public TransportMemoryPool(int blockSize = DefaultBlockSize, int maxIdleBlocks = DefaultMaxIdleBlocks, Action<TransportMemoryPool>? disposed = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 4096);
        ArgumentOutOfRangeException.ThrowIfNegative(maxIdleBlocks);
        BlockSize = blockSize;
        MaxIdleBlocks = maxIdleBlocks;
        _disposed = disposed;
    }

    public int BlockSize { get; }

    public int MaxIdleBlocks { get; }

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks handed out and not returned yet.</summary>
    public long RentedBlocks => Interlocked.Read(ref _rentedBlocks);

    /// <summary>Blocks allocated since the pool was made (reused ones count once).</summary>
    public long AllocatedBlocks => Interlocked.Read(ref _allocatedBlocks);

    /// <summary>Blocks handed out since the pool was made, reused ones each time.</summary>
    public long Rents => Interlocked.Read(ref _rents);

    /// <summary>Returned blocks kept for the next rents.</summary>
    public int IdleBlocks => Volatile.Read(ref _idleCount);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ObjectDisposedException.ThrowIf(_isDisposed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_idle.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _idleCount);
        }
        else
        {
            block = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
            Interlocked.Increment(ref _allocatedBlocks);
        }

        Interlocked.Increment(ref _rentedBlocks);
        Interlocked.Increment(ref _rents);
        return new Lease(this, block);
    }

    protected override void Dispose(bool disposing)
    {
        _isDisposed = true;
        DropIdle();
        _disposed?.Invoke(this);
    }

    private void Return(byte[] block)
    {
        Interlocked.Decrement(ref _rentedBlocks);
        // A block returned after the pool is disposed, or past the idle limit, is left to the garbage collector.
        if (_isDisposed)
        {
            return;
        }

        if (Interlocked.Increment(ref _idleCount) > MaxIdleBlocks)
        {
            Interlocked.Decrement(ref _idleCount);
            return;
        }

        _idle.Enqueue(block);
        if (_isDisposed)
        {
            // Disposed between the check and the enqueue: nothing may stay behind in a pool no one rents from.
            DropIdle();
        }
    }

    private void DropIdle()
    {
        while (_idle.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _idleCount);
        }
    }

    /// <summary>
    /// One rent of a block: a lease of its own, so a second Dispose of it (or a late one, after the block was rented
    /// again) cannot hand the block out to two owners at once.
    /// </summary>
    private sealed class Lease(TransportMemoryPool pool, byte[] block) : IMemoryOwner<byte>
    {
        private byte[]? _block = block;

        public Memory<byte> Memory { get; } = block;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _block, null) is { } returned)
            {
                pool.Return(returned);
            }
        }
    }
}
