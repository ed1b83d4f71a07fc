using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Storage.Blobs;
using Coffer.Storage.Encryption;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

/// <summary>
/// The ring of staging buffers (<c>BlobStore.StageFileAsync</c>): reads run ahead of the hash, writes follow without
/// waiting for it, and a buffer is read into again only once its chunk is both hashed and written. Each test runs on the
/// direct path (aligned buffers, padded last write) and on the page-cache path.
/// </summary>
public sealed class StagingRingTests : IDisposable
{
    private const int Chunk = StagingFile.BufferSize;
    private readonly TempDirectory _directory = new("ring");

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(true, 3, 0, 1)]
    [InlineData(false, 3, 0, 1)]
    [InlineData(true, 3, 1, 0)]
    [InlineData(true, 3, 2, 0)]
    [InlineData(false, 3, 2, 0)]
    [InlineData(true, 3, 3, 0)]
    [InlineData(false, 3, 3, 0)]
    [InlineData(true, 3, 3, 1)]
    [InlineData(false, 3, 3, 1)]
    [InlineData(true, 3, 13, 4097)]
    [InlineData(false, 3, 13, 4097)]
    [InlineData(true, 2, 5, 123)]
    [InlineData(true, 4, 4, 0)]
    [InlineData(false, 4, 9, 4095)]
    public async Task StageAsync_StoresEveryByteInOrder_WhateverTheNumberOfChunks(bool direct, int ring, int fullChunks, int tail)
    {
        var blobs = Store(direct, ring);
        // Writes that yield first fall behind the reads, as a disk's do.
        blobs.BeforeStagingWrite = async (_, _) => await Task.Yield();
        var data = RandomNumberGenerator.GetBytes(fullChunks * Chunk + tail);

        using var staged = await blobs.StageAsync(new ShortReadStream(data, 7_001), data.Length, long.MaxValue, false, default);

        File.ReadAllBytes(staged.TempPath).Should().Equal(data);
        staged.Length.Should().Be(data.Length);
        staged.Md5.Should().Equal(MD5.HashData(data));
        staged.Crc64.Should().Be(Crc64.Compute(data));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(2)]
    public async Task StageAsync_StoresEveryByteInOrder_AfterTheStartReadForTheInlineCheck(int ring)
    {
        var blobs = Store(false, ring);
        blobs.BeforeStagingWrite = async (_, _) => await Task.Yield();
        var data = RandomNumberGenerator.GetBytes(5 * Chunk + 17);

        // No announced length: the start is read to tell a small body from a large one, and the ring continues after it.
        using var staged = await blobs.StageAsync(new ShortReadStream(data, 7_001), null, long.MaxValue, false, default, inline: true);

        staged.InlineData.Should().BeNull();
        File.ReadAllBytes(staged.TempPath).Should().Equal(data);
        staged.Md5.Should().Equal(MD5.HashData(data));
    }

    [Fact]
    public async Task StageAsync_LeavesNoFile_WhenTheBodyIsEmpty()
    {
        using var staged = await Store(true, 3).StageAsync(new ShortReadStream([], 7_001), 0, long.MaxValue, false, default);

        staged.IsEmpty.Should().BeTrue();
        staged.Md5.Should().Equal(MD5.HashData(ReadOnlySpan<byte>.Empty));
        StagedFiles().Should().BeEmpty();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StageAsync_ReadsIntoABuffer_OnlyAfterItsLastChunkIsWritten(bool direct)
    {
        const int ring = 3;
        var blobs = Store(direct, ring);
        var data = RandomNumberGenerator.GetBytes(2 * ring * Chunk);
        var source = new ShortReadStream(data, 64 * 1024) { SignalPast = ring * Chunk };
        // The first write waits until the reader has put a byte of chunk N into buffer 0, or long enough that it would have.
        blobs.BeforeStagingWrite = async (offset, _) =>
        {
            if (offset == 0)
            {
                await Task.WhenAny(source.Passed.Task, Task.Delay(TimeSpan.FromMilliseconds(300), CancellationToken.None));
            }
        };

        using var staged = await blobs.StageAsync(source, data.Length, long.MaxValue, false, default);

        File.ReadAllBytes(staged.TempPath).Should().Equal(data, "chunk 0 is written before chunk N is read into its buffer");
        staged.Md5.Should().Equal(MD5.HashData(data));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StageAsync_FailsAndLeavesNoFile_AfterEveryWrite_WhenTheSourceFailsMidBody(bool direct)
    {
        var blobs = Store(direct, 3);
        var stageEnded = new TaskCompletionSource();
        var writeEndedAfterStage = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The second chunk's write is still going when the source fails on the third chunk.
        blobs.BeforeStagingWrite = async (offset, _) =>
        {
            if (offset == Chunk)
            {
                await Task.WhenAny(stageEnded.Task, Task.Delay(TimeSpan.FromMilliseconds(300), CancellationToken.None));
                writeEndedAfterStage.SetResult(stageEnded.Task.IsCompleted);
            }
        };
        var source = new ShortReadStream(RandomNumberGenerator.GetBytes(8 * Chunk), 64 * 1024, failAfter: 2 * Chunk + 100);

        var stage = () => blobs.StageAsync(source, 8 * Chunk, long.MaxValue, false, default);

        await stage.Should().ThrowAsync<IOException>().WithMessage("connection reset");
        stageEnded.SetResult();
        // A loaded machine may see the source fail before the second chunk's write began: then it never begins, and
        // no write went on after the stage either. (Awaited without a bound, that case hung the test run.)
        if (await Task.WhenAny(writeEndedAfterStage.Task, Task.Delay(TimeSpan.FromSeconds(5))) == writeEndedAfterStage.Task)
        {
            (await writeEndedAfterStage.Task).Should().BeFalse("no write goes on into a buffer given back");
        }

        StagedFiles().Should().BeEmpty();
    }

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 2)]
    [InlineData(true, 7)]
    [InlineData(false, 7)]
    public async Task StageAsync_FailsWithTheWriteError_AndLeavesNoFile_WhenAWriteFails(bool direct, int failingChunk)
    {
        var blobs = Store(direct, 3);
        blobs.BeforeStagingWrite = (offset, _) =>
            offset == (long)failingChunk * Chunk ? Task.FromException(new IOException("no space left")) : Task.CompletedTask;
        var data = RandomNumberGenerator.GetBytes(8 * Chunk);

        var stage = () => blobs.StageAsync(new ShortReadStream(data, 64 * 1024), data.Length, long.MaxValue, false, default);

        await stage.Should().ThrowAsync<IOException>().WithMessage("no space left");
        StagedFiles().Should().BeEmpty();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StageAsync_ThrowsEntityTooLarge_AndLeavesNoFile_PastTheLimitMidBody(bool direct)
    {
        var data = RandomNumberGenerator.GetBytes(8 * Chunk);

        var stage = () => Store(direct, 3).StageAsync(new ShortReadStream(data, 64 * 1024), null, 5 * Chunk / 2, false, default);

        (await stage.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.EntityTooLarge);
        StagedFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task StageAsync_StopsAndLeavesNoFile_WhenCancelledMidBody()
    {
        var blobs = Store(true, 3);
        using var cancel = new CancellationTokenSource();
        blobs.BeforeStagingWrite = async (offset, _) =>
        {
            if (offset == 2 * Chunk)
            {
                await cancel.CancelAsync();
            }
        };
        var data = RandomNumberGenerator.GetBytes(8 * Chunk);

        var stage = () => blobs.StageAsync(new ShortReadStream(data, 64 * 1024), data.Length, long.MaxValue, false, cancel.Token);

        await stage.Should().ThrowAsync<OperationCanceledException>();
        StagedFiles().Should().BeEmpty();
    }

    [Fact]
    public void StagingBuffers_Refuses_FewerThanTwo()
    {
        var set = () => Store(true, 1);
        set.Should().Throw<ArgumentOutOfRangeException>();
    }

    private BlobStore Store(bool direct, int ring) => new(_directory.Path, MasterKey.LoadOrCreate(_directory.Path))
    {
        DirectWriteThreshold = 0,
        DirectCreate = direct ? DirectFile.Native ?? throw new PlatformNotSupportedException("Direct writes are tested on Linux") : null,
        StagingBuffers = ring,
    };

    private IEnumerable<string> StagedFiles() => Directory.EnumerateFiles(_directory.Combine("tmp"), "*", SearchOption.AllDirectories);

    /// <summary>
    /// A body that arrives at most <paramref name="readSize"/> bytes a read, asynchronously, optionally failing part-way;
    /// <see cref="Passed"/> completes once more than <see cref="SignalPast"/> bytes have been handed over.
    /// </summary>
    private sealed class ShortReadStream(byte[] data, int readSize, int failAfter = int.MaxValue) : MemoryStream(data, writable: false)
    {
        public long SignalPast { get; init; } = long.MaxValue;

        public TaskCompletionSource Passed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            if (Position >= failAfter)
            {
                throw new IOException("connection reset");
            }

            var read = await base.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);
            if (Position > SignalPast)
            {
                Passed.TrySetResult();
            }

            return read;
        }
    }
}
