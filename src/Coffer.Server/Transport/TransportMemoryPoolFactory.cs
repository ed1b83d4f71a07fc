using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Coffer.Server.Transport;

/// <summary>
/// Makes the <see cref="TransportMemoryPool"/>s Kestrel asks for (its socket transport makes one per I/O queue when it
/// binds). Registered as the host's <see cref="IMemoryPoolFactory{T}"/>, which is where .NET 10's Kestrel takes its pools from.
/// </summary>
public sealed class TransportMemoryPoolFactory(int blockSize = TransportMemoryPool.DefaultBlockSize, int maxIdleBlocks = TransportMemoryPool.DefaultMaxIdleBlocks)
    : IMemoryPoolFactory<byte>
{
    private readonly ConcurrentQueue<TransportMemoryPool> _pools = new();

    public int BlockSize => blockSize;

    /// <summary>Blocks rented from this factory's pools and not returned yet.</summary>
    public long RentedBlocks => _pools.Sum(pool => pool.RentedBlocks);

    /// <summary>Blocks this factory's pools have allocated.</summary>
    public long AllocatedBlocks => _pools.Sum(pool => pool.AllocatedBlocks);

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new TransportMemoryPool(blockSize, maxIdleBlocks);
        _pools.Enqueue(pool);
        return pool;
    }
}
