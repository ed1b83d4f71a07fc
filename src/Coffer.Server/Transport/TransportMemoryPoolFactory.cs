using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Coffer.Server.Transport;

/// <summary>
/// Makes the <see cref="TransportMemoryPool"/>s Kestrel asks for (its socket transport makes one per I/O queue when it
/// binds, and disposes them when it unbinds). Registered as the host's <see cref="IMemoryPoolFactory{T}"/>, which is
/// where .NET 10's Kestrel takes its pools from.
/// </summary>
public sealed class TransportMemoryPoolFactory(int blockSize = TransportMemoryPool.DefaultBlockSize, int maxIdleBlocks = TransportMemoryPool.DefaultMaxIdleBlocks)
    : IMemoryPoolFactory<byte>
{
    private readonly ConcurrentDictionary<TransportMemoryPool, bool> _pools = new();

    public int BlockSize => blockSize;

    /// <summary>Blocks rented from this factory's live pools and not returned yet.</summary>
    public long RentedBlocks => _pools.Keys.Sum(pool => pool.RentedBlocks);

    /// <summary>Blocks handed out by this factory's live pools.</summary>
    public long Rents => _pools.Keys.Sum(pool => pool.Rents);

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new TransportMemoryPool(blockSize, maxIdleBlocks, disposed => _pools.TryRemove(disposed, out _));
        _pools[pool] = true;
        return pool;
    }
}
