using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Storage.Blobs;
using Coffer.Storage.Encryption;
using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

public sealed class BlobStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new("blobs");
    private readonly BlobStore _blobs;

    public BlobStoreTests()
    {
        _blobs = new BlobStore(_directory.Path, MasterKey.LoadOrCreate(_directory.Path));
    }

    [Fact]
    public async Task StageAsync_ComputesLengthMd5AndCrc64()
    {
        var data = RandomBytes(3_000_001);
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, false, default);
        staged.Length.Should().Be(data.Length);
        staged.Md5.Should().Equal(MD5.HashData(data));
        staged.Crc64.Should().Be(Crc64.Compute(data));
    }

    [Fact]
    public async Task StageAsync_InlineBodies_EachGetTheirOwnMd5AndAUniqueVersion7Id()
    {
        var ids = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            var data = RandomBytes(1 + (i * 37 % 4096));
            using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, false, default, inline: true);
            staged.IsInline.Should().BeTrue();
            staged.Md5.Should().Equal(MD5.HashData(data), "the hash object kept per thread starts afresh for every body");
            staged.InlineData.Should().Equal(data);
            staged.BlobId.Should().MatchRegex("^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$");
            ids.Add(staged.BlobId).Should().BeTrue();
        }

        var milliseconds = Convert.ToInt64(ids.First()[..12], 16);
        DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task StageAsync_ThrowsIncompleteBody_AndLeavesNoFile_WhenBodyIsShort()
    {
        var act = () => _blobs.StageAsync(new MemoryStream(new byte[10]), 11, long.MaxValue, false, default);
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.IncompleteBody);
        Directory.EnumerateFiles(_directory.Combine("tmp")).Should().BeEmpty();
    }

    [Fact]
    public async Task StageAsync_ThrowsEntityTooLarge_PastTheLimit()
    {
        var act = () => _blobs.StageAsync(new MemoryStream(new byte[11]), null, 10, false, default);
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.EntityTooLarge);
        Directory.EnumerateFiles(_directory.Combine("tmp")).Should().BeEmpty();
    }

    [Fact]
    public async Task Dispose_DeletesTheTemporaryFile_WhenNeverPromoted()
    {
        var staged = await _blobs.StageAsync(new MemoryStream(new byte[5]), 5, long.MaxValue, false, default);
        Directory.EnumerateFiles(_directory.Combine("tmp")).Should().HaveCount(1);
        staged.Dispose();
        Directory.EnumerateFiles(_directory.Combine("tmp")).Should().BeEmpty();
    }

    [Fact]
    public async Task OpenRead_ReadsARange_AcrossSegments()
    {
        var first = RandomBytes(1000);
        var second = RandomBytes(500);
        var a = await StageAndPromoteAsync(first);
        var b = await StageAndPromoteAsync(second);
        var layout = new BlobLayout([new BlobSegment(a, first.Length), new BlobSegment(b, second.Length)]);

        await using var stream = _blobs.OpenRead(layout, 900, 300);
        var read = new MemoryStream();
        await stream.CopyToAsync(read);
        read.ToArray().Should().Equal(first[900..].Concat(second[..200]));
    }

    [Fact]
    public async Task Delete_OfAFileAReadHasYetToOpen_WaitsForTheRead_WhichReadsItWhole()
    {
        byte[][] parts = [RandomBytes(1000), RandomBytes(500), RandomBytes(300)];
        var ids = new List<string>();
        foreach (var part in parts)
        {
            ids.Add(await StageAndPromoteAsync(part));
        }

        var layout = new BlobLayout(ids.Select((id, i) => new BlobSegment(id, parts[i].Length)).ToArray());
        var stream = _blobs.OpenRead(layout, 0, 1800);
        var read = new MemoryStream();
        var buffer = new byte[100];
        read.Write(buffer, 0, await stream.ReadAsync(buffer));

        // An overwrite released the object's files: the first is open, the later two are leased.
        ids.Select(_blobs.Delete).Should().Equal(true, false, false);
        _blobs.DeferredCount.Should().Be(2);
        await stream.CopyToAsync(read);
        read.ToArray().Should().Equal(parts.SelectMany(p => p));

        await stream.DisposeAsync();
        _blobs.DeferredCount.Should().Be(0);
        Directory.EnumerateFiles(_directory.Combine("blobs"), "*", SearchOption.AllDirectories).Should().BeEmpty();
        _blobs.Delete(ids[1]).Should().BeTrue("no read leases it any more");
    }

    [Fact]
    public async Task OpenRead_ThrowsFileNotFound_BeforeReadingAByte_WhenALaterFileIsGone()
    {
        var a = await StageAndPromoteAsync(RandomBytes(100));
        var b = await StageAndPromoteAsync(RandomBytes(100));
        _blobs.Delete(b).Should().BeTrue();
        var act = () => _blobs.OpenRead(new BlobLayout([new BlobSegment(a, 100), new BlobSegment(b, 100)]), 0, 200);
        act.Should().Throw<FileNotFoundException>();
        _blobs.Delete(a).Should().BeTrue("the failed open leased nothing");
    }

    [Fact]
    public void OpenRead_ThrowsFileNotFound_WhenTheBlobIsGone()
    {
        var act = () => _blobs.OpenRead(BlobLayout.Single("0123456789abcdef0123456789abcdef", 10), 0, 10);
        act.Should().Throw<FileNotFoundException>();
    }

    [Fact]
    public async Task Promote_PutsTheFile_UnderFoldersNamedByTheIdsRandomLastDigits()
    {
        var id = await StageAndPromoteAsync(RandomBytes(100));
        Directory.EnumerateFiles(_directory.Combine("blobs"), "*", SearchOption.AllDirectories).Should()
            .Equal(_directory.Combine("blobs", id[28..30], id[30..32], id));
    }

    [Fact]
    public async Task Promote_SpreadsBlobsOverManyFolders_WhenTheirIdsShareTheirClockDigits()
    {
        var ids = new List<string>();
        for (var i = 0; i < 64; i++)
        {
            ids.Add(await StageAndPromoteAsync(RandomBytes(10 + i)));
        }

        // Ids minted within ~49 days share their first four hex digits, the ones the old layout named folders by.
        ids.Select(id => id[..4]).Distinct().Should().ContainSingle();
        var folders = Directory.EnumerateFiles(_directory.Combine("blobs"), "*", SearchOption.AllDirectories).Select(Path.GetDirectoryName).Distinct();
        folders.Should().HaveCountGreaterThan(48, "64 ids over 65,536 folders rarely share one");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenReadAndDelete_FindTheBlob_WhenAnEarlierBuildWroteItUnderItsClockDigits(bool encrypt)
    {
        var data = RandomBytes(200_000);
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, encrypt, default);
        _blobs.Promote(staged);
        var id = staged.BlobId;
        var legacy = _directory.Combine("blobs", id[..2], id[2..4], id);
        Directory.CreateDirectory(Path.GetDirectoryName(legacy)!);
        File.Move(_directory.Combine("blobs", id[28..30], id[30..32], id), legacy);
        var layout = BlobLayout.Single(id, data.Length, staged.WrappedKey);

        await using (var stream = _blobs.OpenRead(layout, 0, data.Length))
        {
            var read = new MemoryStream();
            await stream.CopyToAsync(read);
            read.ToArray().Should().Equal(data);
        }

        _blobs.Delete(id);
        File.Exists(legacy).Should().BeFalse();
        Directory.EnumerateFiles(_directory.Combine("blobs"), "*", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenRead_ThrowsFileNotFound_WhenTheBlobIsAtNeitherPath(bool encrypt)
    {
        using var staged = await _blobs.StageAsync(new MemoryStream(RandomBytes(100)), 100, long.MaxValue, encrypt, default);
        _blobs.Promote(staged);
        _blobs.Delete(staged.BlobId);
        _blobs.Delete(staged.BlobId);

        var act = () => _blobs.OpenRead(BlobLayout.Single(staged.BlobId, 100, staged.WrappedKey), 0, 100);
        act.Should().Throw<FileNotFoundException>();
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(BlobStore.DefaultInlineThreshold, true)]
    [InlineData(BlobStore.DefaultInlineThreshold + 1, false)]
    public async Task StageAsync_KeepsBodiesUpToTheThresholdInMemory_WhenAskedTo(int length, bool inline)
    {
        var data = RandomBytes(length);
        foreach (long? announced in new long?[] { length, null })
        {
            using var staged = await _blobs.StageAsync(new MemoryStream(data), announced, long.MaxValue, false, default, inline: true);
            staged.IsInline.Should().Be(inline);
            staged.Length.Should().Be(length);
            staged.Md5.Should().Equal(MD5.HashData(data));
            staged.Crc64.Should().Be(Crc64.Compute(data));
            if (inline)
            {
                staged.InlineData.Should().Equal(data);
                Directory.EnumerateFiles(_directory.Combine("tmp")).Should().BeEmpty();
            }
            else if (length > 0)
            {
                _blobs.Promote(staged);
                await using var stream = _blobs.OpenRead(BlobLayout.Single(staged.BlobId, length), 0, length);
                var read = new MemoryStream();
                await stream.CopyToAsync(read);
                read.ToArray().Should().Equal(data, "the bytes read to tell a small body from a large one go to the file first");
            }
        }
    }

    [Fact]
    public async Task StageAsync_Inline_ChecksTheAnnouncedLengthAndTheLimit()
    {
        var shortBody = () => _blobs.StageAsync(new MemoryStream(new byte[10]), 11, long.MaxValue, false, default, inline: true);
        (await shortBody.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.IncompleteBody);
        var longBody = () => _blobs.StageAsync(new MemoryStream(new byte[12]), 11, long.MaxValue, false, default, inline: true);
        (await longBody.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.IncompleteBody);
        var tooLarge = () => _blobs.StageAsync(new MemoryStream(new byte[11]), null, 10, false, default, inline: true);
        (await tooLarge.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.EntityTooLarge);
    }

    [Fact]
    public async Task OpenRead_OfAnInlineSegment_ReadsTheBytesItIsGiven()
    {
        var data = RandomBytes(1000);
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, false, default, inline: true);
        var layout = BlobLayout.Single(staged.BlobId, data.Length, inline: true);

        await using var stream = _blobs.OpenRead(layout, 10, 500, new Dictionary<string, byte[]> { [staged.BlobId] = staged.InlineData! });
        var read = new MemoryStream();
        await stream.CopyToAsync(read);
        read.ToArray().Should().Equal(data[10..510]);
        var missing = () => _blobs.OpenRead(layout, 0, 10);
        missing.Should().Throw<InvalidDataException>();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StageAsync_StoresEveryByteInOrder_WhenTheSourceHandsOverShortReads(bool inline)
    {
        // Over three 1 MiB chunks, read a few KiB at a time as from a socket: each chunk is hashed and written while the
        // next ones are read into the ring's other buffers, so a buffer reused too early would show here as wrong bytes or hashes.
        var data = RandomBytes(3 * (1 << 20) + 12_345);
        using var staged = await _blobs.StageAsync(new ShortReadStream(data, 7_001), data.Length, long.MaxValue, false, default, inline);
        staged.Md5.Should().Equal(MD5.HashData(data));
        staged.Crc64.Should().Be(Crc64.Compute(data));
        _blobs.Promote(staged);
        await using var stream = _blobs.OpenRead(BlobLayout.Single(staged.BlobId, data.Length), 0, data.Length);
        var read = new MemoryStream();
        await stream.CopyToAsync(read);
        read.ToArray().Should().Equal(data);
    }

    [Fact]
    public async Task StageAsync_FailsAndLeavesNoFile_WhenTheSourceFailsWhileAChunkIsWritten()
    {
        var act = () => _blobs.StageAsync(new ShortReadStream(RandomBytes(3 << 20), 64 * 1024, failAfter: (1 << 20) + 100), null, long.MaxValue, false, default);
        await act.Should().ThrowAsync<IOException>().WithMessage("connection reset");
        Directory.EnumerateFiles(_directory.Combine("tmp")).Should().BeEmpty();
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>A body that arrives at most <paramref name="readSize"/> bytes a read, asynchronously, optionally failing part-way.</summary>
    private sealed class ShortReadStream(byte[] data, int readSize, int failAfter = int.MaxValue) : MemoryStream(data, writable: false)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            if (Position >= failAfter)
            {
                throw new IOException("connection reset");
            }

            return await base.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);
        }
    }

    private async Task<string> StageAndPromoteAsync(byte[] data)
    {
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, false, default);
        _blobs.Promote(staged);
        return staged.BlobId;
    }

    private static byte[] RandomBytes(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }
}
