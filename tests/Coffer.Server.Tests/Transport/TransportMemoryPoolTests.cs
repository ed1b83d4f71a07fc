using Coffer.Server.Transport;

namespace Coffer.Server.Tests.Transport;

public sealed class TransportMemoryPoolTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(65536)]
    public void Rent_HandsOutAWholeBlock_WhateverSizeIsAsked(int asked)
    {
        using var pool = new TransportMemoryPool(blockSize: 65536);
        using var block = pool.Rent(asked);
        block.Memory.Length.Should().Be(65536, "a pipe fills the whole block it rents, so a socket receive can take all of it");
        pool.MaxBufferSize.Should().Be(65536);
    }

    [Fact]
    public void Rent_Throws_WhenMoreThanABlockIsAsked()
    {
        using var pool = new TransportMemoryPool(blockSize: 8192);
        var rent = () => pool.Rent(8193);
        rent.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Rent_ReusesAReturnedBlock()
    {
        using var pool = new TransportMemoryPool(blockSize: 8192);
        var first = pool.Rent();
        var memory = first.Memory;
        pool.RentedBlocks.Should().Be(1);
        first.Dispose();
        pool.RentedBlocks.Should().Be(0);
        pool.IdleBlocks.Should().Be(1);

        using var second = pool.Rent();
        second.Memory.Equals(memory).Should().BeTrue("the returned block is handed out again");
        pool.AllocatedBlocks.Should().Be(1);
        pool.IdleBlocks.Should().Be(0);
    }

    [Fact]
    public void Rent_NeverHandsOutABlockThatIsStillRented()
    {
        using var pool = new TransportMemoryPool(blockSize: 8192);
        var returned = pool.Rent();
        returned.Dispose();
        using var reused = pool.Rent();
        using var fresh = pool.Rent();
        fresh.Memory.Equals(reused.Memory).Should().BeFalse();
        pool.AllocatedBlocks.Should().Be(2);
        pool.RentedBlocks.Should().Be(2);
    }

    [Fact]
    public void Dispose_ReturnsTheBlockOnce_WhenAnOwnerIsDisposedTwice()
    {
        using var pool = new TransportMemoryPool(blockSize: 8192);
        var owner = pool.Rent();
        owner.Dispose();
        owner.Dispose();
        pool.IdleBlocks.Should().Be(1);

        using var first = pool.Rent();
        using var second = pool.Rent();
        first.Memory.Equals(second.Memory).Should().BeFalse("a second Dispose must not queue the block a second time");
        pool.RentedBlocks.Should().Be(2);
    }

    [Fact]
    public void Dispose_OfAnEarlierOwner_DoesNotReturnTheBlockItsNextOwnerHolds()
    {
        using var pool = new TransportMemoryPool(blockSize: 8192);
        var earlier = pool.Rent();
        earlier.Dispose();
        using var holder = pool.Rent();
        holder.Memory.Equals(earlier.Memory).Should().BeTrue("the block is reused");

        earlier.Dispose();
        using var other = pool.Rent();
        other.Memory.Equals(holder.Memory).Should().BeFalse("the earlier owner's late Dispose must not free the block again");
    }

    [Fact]
    public void RentAndReturn_FromManyThreads_NeverShareABlock()
    {
        using var pool = new TransportMemoryPool(blockSize: 4096, maxIdleBlocks: 8);
        var failures = 0;
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            using var owner = pool.Rent();
            var span = owner.Memory.Span;
            var mark = (byte)(i % 251);
            span.Fill(mark);
            Thread.Yield();
            if (span.IndexOfAnyExcept(mark) >= 0)
            {
                Interlocked.Increment(ref failures);
            }
        });

        failures.Should().Be(0, "no two rents at once may get the same block");
        pool.RentedBlocks.Should().Be(0);
        pool.IdleBlocks.Should().BeLessThanOrEqualTo(8);
    }

    [Fact]
    public void Return_KeepsAtMostTheIdleLimit_AndLeavesTheRestToTheCollector()
    {
        using var pool = new TransportMemoryPool(blockSize: 8192, maxIdleBlocks: 2);
        var blocks = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        blocks.ForEach(block => block.Dispose());
        pool.IdleBlocks.Should().Be(2);
        pool.RentedBlocks.Should().Be(0);

        var again = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        pool.AllocatedBlocks.Should().Be(8, "two of the five came from the idle blocks");
        again.ForEach(block => block.Dispose());
    }

    [Fact]
    public void Return_KeepsNothing_AfterThePoolIsDisposed()
    {
        var pool = new TransportMemoryPool(blockSize: 8192);
        var block = pool.Rent();
        pool.Dispose();
        block.Dispose();
        pool.IdleBlocks.Should().Be(0);
        pool.RentedBlocks.Should().Be(0);
        var rent = () => pool.Rent();
        rent.Should().Throw<ObjectDisposedException>();
    }
}
