using System.Buffers;
using System.Collections.Concurrent;

namespace Coffer.Server.Transport;

/// <summary>
/// The memory Kestrel's socket transport receives into and its pipes are made of, in blocks of <see cref="BlockSize"/>
/// bytes instead of the default pool's 4 KiB. A pipe fills the whole block it rents, so one socket receive can take up
/// to a block of a request body: a large upload arrives in a sixteenth of the receives (and of the pipe's hand-overs to
/// the request stream) that 4 KiB blocks take. Blocks are pinned (sockets read into them) and come back when a read of
/// them completes, so an idle keep-alive connection holds none (Kestrel waits for data before it rents a receive block).
/// At most <see cref="MaxIdleBlocks"/> returned blocks are kept for reuse; the rest go back to the garbage collector.
/// </summary>
public sealed class TransportMemoryPool : MemoryPool<byte>
{
    /// <summary>The block size (64 KiB), measured in docs/performance.md ("Large objects"): a loopback receive rarely fills more.</summary>
    public const int DefaultBlockSize = 64 * 1024;

    /// <summary>The blocks kept for reuse (64: 4 MiB at the default size), about what a few connections streaming large bodies use at once.</summary>
    public const int DefaultMaxIdleBlocks = 64;

    private readonly ConcurrentQueue<Block> _idle = new();
    private int _idleCount;
    private long _rentedBlocks;
    private long _allocatedBlocks;
    private volatile bool _disposed;

    public TransportMemoryPool(int blockSize = DefaultBlockSize, int maxIdleBlocks = DefaultMaxIdleBlocks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 4096);
        ArgumentOutOfRangeException.ThrowIfNegative(maxIdleBlocks);
        BlockSize = blockSize;
        MaxIdleBlocks = maxIdleBlocks;
    }

    public int BlockSize { get; }

    public int MaxIdleBlocks { get; }

    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks handed out and not returned yet.</summary>
    public long RentedBlocks => Interlocked.Read(ref _rentedBlocks);

    /// <summary>Blocks allocated since the pool was made (reused ones count once).</summary>
    public long AllocatedBlocks => Interlocked.Read(ref _allocatedBlocks);

    /// <summary>Returned blocks kept for the next rents.</summary>
    public int IdleBlocks => Volatile.Read(ref _idleCount);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_idle.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _idleCount);
        }
        else
        {
            block = new Block(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
            Interlocked.Increment(ref _allocatedBlocks);
        }

        Interlocked.Increment(ref _rentedBlocks);
        return block;
    }

    private void Return(Block block)
    {
        Interlocked.Decrement(ref _rentedBlocks);
        // A block returned after the pool is disposed, or past the idle limit, is left to the garbage collector.
        if (_disposed)
        {
            return;
        }

        if (Interlocked.Increment(ref _idleCount) > MaxIdleBlocks)
        {
            Interlocked.Decrement(ref _idleCount);
            return;
        }

        _idle.Enqueue(block);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _idle.Clear();
        Volatile.Write(ref _idleCount, 0);
    }

    private sealed class Block(TransportMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = array;

        public void Dispose() => pool.Return(this);
    }
}
