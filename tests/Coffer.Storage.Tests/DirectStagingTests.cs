using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Storage.Blobs;
using Coffer.Storage.Encryption;
using Coffer.Testing;
using Microsoft.Win32.SafeHandles;

namespace Coffer.Storage.Tests;

public sealed class DirectStagingTests : IDisposable
{
    private readonly TempDirectory _directory = new("direct");
    private readonly BlobStore _blobs;
    private readonly List<bool> _directOpens = [];
    private readonly List<long> _writebackStarts = [];

    public DirectStagingTests()
    {
        _blobs = new BlobStore(_directory.Path, MasterKey.LoadOrCreate(_directory.Path))
        {
            DirectWriteThreshold = 0,
            DirectCreate = RecordDirectCreate,
            WritebackSync = (_, offset, _, _) =>
            {
                _writebackStarts.Add(offset);
                return true;
            },
        };
    }

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(StagingFile.BufferSize + 1)]
    [InlineData(3 * StagingFile.BufferSize)]
    [InlineData((int)FileWriteback.WindowSize + 12345)]
    public async Task StageAsync_WritesTheExactBodyAroundThePageCache_WhateverItsLength(int size)
    {
        var data = RandomNumberGenerator.GetBytes(size);
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, false, default);

        _directOpens.Should().Equal([true], "the staging file is opened with O_DIRECT");
        _writebackStarts.Should().BeEmpty("a file written around the page cache has no dirty pages to start writing back");
        File.ReadAllBytes(staged.TempPath).Should().Equal(data, "the padding of the last block is cut off again");
        staged.Length.Should().Be(size);
        staged.Md5.Should().Equal(MD5.HashData(data));
        staged.Crc64.Should().Be(Crc64.Compute(data));
    }

    [Fact]
    public async Task StageAsync_LeavesNoFile_WhenTheBodyIsEmpty()
    {
        using var staged = await _blobs.StageAsync(new MemoryStream(), 0, long.MaxValue, false, default);

        staged.IsEmpty.Should().BeTrue();
        staged.Md5.Should().Equal(MD5.HashData(ReadOnlySpan<byte>.Empty));
        StagedFiles().Should().BeEmpty();
    }

    [Fact]
    public async Task StageAsync_WritesThroughThePageCache_WhenTheFileSystemRefusesDirectWrites()
    {
        var refusing = new BlobStore(_directory.Path, MasterKey.LoadOrCreate(_directory.Path))
        {
            DirectWriteThreshold = 0,
            // As Linux refuses: the file is created before O_DIRECT is checked.
            DirectCreate = path =>
            {
                File.Create(path).Dispose();
                return null;
            },
            WritebackSync = (_, offset, _, _) =>
            {
                _writebackStarts.Add(offset);
                return true;
            },
        };
        var data = RandomNumberGenerator.GetBytes((int)(2 * FileWriteback.WindowSize) + 4097);

        using var staged = await refusing.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, false, default);

        File.ReadAllBytes(staged.TempPath).Should().Equal(data);
        staged.Md5.Should().Equal(MD5.HashData(data));
        _writebackStarts.Should().Equal(0, FileWriteback.WindowSize);
    }

    [Fact]
    public async Task StageAsync_SealsThroughThePageCache_WhenEncrypted()
    {
        var data = RandomNumberGenerator.GetBytes(StagingFile.BufferSize + 4097);
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, true, default);

        _directOpens.Should().BeEmpty("sealed segments are not block-aligned");
        new FileInfo(staged.TempPath).Length.Should().Be(SealedFormat.SealedLength(data.Length));
        staged.Md5.Should().Equal(MD5.HashData(data));
    }

    [Theory]
    [InlineData(8L << 20, 8L << 20, true)]
    [InlineData(8L << 20, (8L << 20) - 1, false)]
    [InlineData(8L << 20, null, false)]
    public async Task StageAsync_WritesAroundThePageCache_OnlyFromTheThresholdOfAnAnnouncedLength(long threshold, long? announced, bool direct)
    {
        _blobs.DirectWriteThreshold = threshold;
        var data = RandomNumberGenerator.GetBytes((int)(announced ?? 4096));

        using var staged = await _blobs.StageAsync(new MemoryStream(data), announced, long.MaxValue, false, default);

        _directOpens.Should().HaveCount(direct ? 1 : 0);
        File.ReadAllBytes(staged.TempPath).Should().Equal(data);
    }

    [Fact]
    public async Task StageAsync_Fails_AndLeavesNoFile_WhenTheBodyEndsEarly()
    {
        var data = RandomNumberGenerator.GetBytes(4097);

        var stage = () => _blobs.StageAsync(new MemoryStream(data), data.Length + 1, long.MaxValue, false, default);

        (await stage.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.IncompleteBody);
        StagedFiles().Should().BeEmpty();
    }

    [Fact]
    public void Constructor_Refuses_AnInlineThresholdNotBelowOneStagingBuffer()
    {
        var create = () => new BlobStore(_directory.Path, MasterKey.LoadOrCreate(_directory.Path), inlineThreshold: StagingFile.BufferSize);
        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    private IEnumerable<string> StagedFiles() => Directory.EnumerateFiles(_directory.Combine("tmp"), "*", SearchOption.AllDirectories);

    private SafeFileHandle? RecordDirectCreate(string path)
    {
        var handle = (DirectFile.Native ?? throw new PlatformNotSupportedException("Direct writes are tested on Linux"))(path);
        _directOpens.Add(handle is not null && DirectFlags.Of(handle));
        return handle;
    }
}
