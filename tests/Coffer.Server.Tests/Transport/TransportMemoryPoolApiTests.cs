using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Server.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Transport;

/// <summary>Request bodies received into the server's <see cref="TransportMemoryPool"/> through the real Kestrel.</summary>
public sealed class TransportMemoryPoolApiTests() : ServerTestBase("pool")
{
    private TransportMemoryPoolFactory Pools =>
        Server.Server.Services.GetRequiredService<IMemoryPoolFactory<byte>>().Should().BeOfType<TransportMemoryPoolFactory>().Subject;

    [Theory]
    [InlineData(TransportMemoryPool.DefaultBlockSize - 1)]
    [InlineData(TransportMemoryPool.DefaultBlockSize)]
    [InlineData(TransportMemoryPool.DefaultBlockSize + 1)]
    [InlineData(3 * TransportMemoryPool.DefaultBlockSize + 123)]
    [InlineData((1 << 20) + 12345)]
    [InlineData((5 << 20) + 7)]
    public async Task PutObject_KeepsTheExactBytesAndChecksums_ForBodiesAroundTheBlockSize(int size)
    {
        var body = RandomNumberGenerator.GetBytes(size);
        var put = await Server.PutObjectAsync(Bucket, "k", body);
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        put.Headers.ETag!.Tag.Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(body))}\"");
        put.Headers.GetValues("x-cos-hash-crc64ecma").Single().Should().Be(Crc64.Compute(body).ToString());

        using var get = await Server.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k"));
        get.StatusCode.Should().Be(HttpStatusCode.OK);
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(body);
    }

    [Fact]
    public async Task Kestrel_ReceivesIntoThePoolTheServerRegisters()
    {
        var pools = Pools;
        var rentsBefore = pools.Rents;
        (await Server.PutObjectAsync(Bucket, "k", new byte[1 << 20])).StatusCode.Should().Be(HttpStatusCode.OK);
        pools.Rents.Should().BeGreaterThanOrEqualTo(rentsBefore + (1 << 20) / TransportMemoryPool.DefaultBlockSize,
            "the body was received into blocks of this factory's pools");
        pools.BlockSize.Should().Be(TransportMemoryPool.DefaultBlockSize);
    }

    [Fact]
    public async Task KeptAliveConnection_HoldsNoBlock_OnceItsRequestsAreAnswered()
    {
        // One client connection, counted, kept open over all three requests and the wait.
        var connections = 0;
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            ConnectCallback = async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler);
        using (var put = await client.SendAsync(Server.Request(HttpMethod.Put, Bucket, "k", content: new ByteArrayContent(new byte[1 << 20]))))
        {
            put.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var get = await client.SendAsync(Server.Request(HttpMethod.Get, Bucket, "k")))
        {
            (await get.Content.ReadAsByteArrayAsync()).Should().HaveCount(1 << 20);
        }

        var pools = Pools;
        for (var wait = 0; wait < 100 && pools.RentedBlocks > 0; wait++)
        {
            await Task.Delay(50);
        }

        pools.RentedBlocks.Should().Be(0, "an idle connection waits for data before it rents a block to receive into");
        using (var head = await client.SendAsync(Server.Request(HttpMethod.Head, Bucket, "k")))
        {
            head.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        connections.Should().Be(1, "the blocks were counted while the connection stayed open, not after it closed");
    }
}
