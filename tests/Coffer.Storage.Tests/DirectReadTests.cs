using System.Security.Cryptography;
using Coffer.Storage.Blobs;
using Coffer.Storage.Encryption;
using Coffer.Storage.Records;
using Coffer.Testing;
using Microsoft.Win32.SafeHandles;

namespace Coffer.Storage.Tests;

public sealed class DirectReadTests : IDisposable
{
    private const int Buffer = DirectReadStream.BufferSize;

    private readonly TempDirectory _directory = new("direct-read");
    private readonly BlobStore _blobs;
    private readonly List<bool> _directOpens = [];

    public DirectReadTests()
    {
        _blobs = new BlobStore(_directory.Path, MasterKey.LoadOrCreate(_directory.Path)) { DirectReadThreshold = 0, DirectOpen = RecordDirectOpen };
    }

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(2 * Buffer + 4097, 0)]
    [InlineData(2 * Buffer + 4097, 1)]
    [InlineData(2 * Buffer + 4097, 4095)]
    [InlineData(2 * Buffer + 4097, 4096)]
    [InlineData(2 * Buffer + 4097, Buffer + 5)]
    [InlineData(2 * Buffer + 4097, 2 * Buffer + 4096)]
    [InlineData(2 * Buffer, Buffer)]
    [InlineData(3 * Buffer, 0)]
    [InlineData(100, 7)]
    public async Task OpenRead_ReadsTheExactRangeAroundThePageCache_FromAnyOffset(int size, int offset)
    {
        var data = RandomNumberGenerator.GetBytes(size);
        var layout = await StoreAsync(data);

        foreach (var length in new[] { size - offset, Math.Min(size - offset, 10) })
        {
            (await ReadAsync(layout, offset, length, chunk: 65536)).Should().Equal(data.AsSpan(offset, length).ToArray());
            ReadSynchronously(layout, offset, length, chunk: 3000).Should().Equal(data.AsSpan(offset, length).ToArray());
        }

        _directOpens.Should().NotBeEmpty().And.OnlyContain(direct => direct, "every read opened the file with O_DIRECT");
    }

    [Fact]
    public async Task OpenRead_ReadsThroughThePageCache_WhenTheRangeIsBelowTheThreshold()
    {
        _blobs.DirectReadThreshold = 4097;
        var data = RandomNumberGenerator.GetBytes(3 * 4096);
        var layout = await StoreAsync(data);

        (await ReadAsync(layout, 100, 4096, chunk: 1000)).Should().Equal(data.AsSpan(100, 4096).ToArray());
        _directOpens.Should().BeEmpty("a range shorter than the threshold goes through the page cache, whatever the file's size");
        (await ReadAsync(layout, 100, 4097, chunk: 1000)).Should().Equal(data.AsSpan(100, 4097).ToArray());
        _directOpens.Should().Equal(true);
    }

    [Fact]
    public async Task OpenRead_ReadsEachSegmentOfALayout_AroundThePageCacheOrNot_ByTheBytesWantedOfIt()
    {
        _blobs.DirectReadThreshold = Buffer;
        var first = RandomNumberGenerator.GetBytes(Buffer + 10);
        var second = RandomNumberGenerator.GetBytes(Buffer + 20);
        var one = await StoreAsync(first);
        var two = await StoreAsync(second);
        var layout = new BlobLayout([one.Segments[0], two.Segments[0]]);

        (await ReadAsync(layout, 5, first.Length - 5 + 100, chunk: 65536)).Should().Equal([.. first.AsSpan(5).ToArray(), .. second.AsSpan(0, 100).ToArray()]);
        _directOpens.Should().Equal([true], "the second segment's 100 bytes are read through the page cache");
    }

    [Fact]
    public async Task DirectReadStream_ReadsOnSynchronously_AfterAsynchronousReads_AndRefusesReadsOnceDisposed()
    {
        var data = RandomNumberGenerator.GetBytes(3 * Buffer + 5);
        var layout = await StoreAsync(data);
        var path = Directory.EnumerateFiles(_directory.Combine("blobs"), layout.Segments[0].BlobId, SearchOption.AllDirectories).Single();
        var stream = new DirectReadStream(RecordDirectOpen(path)!, 0, data.Length);
        var read = new byte[data.Length];

        var at = await stream.ReadAsync(read.AsMemory(0, 1000));
        while (at < Buffer + 7)
        {
            at += await stream.ReadAsync(read.AsMemory(at, Buffer + 7 - at));
        }

        int count;
        while ((count = stream.Read(read.AsSpan(at))) > 0)
        {
            at += count;
        }

        at.Should().Be(data.Length);
        read.Should().Equal(data);
        await stream.DisposeAsync();
        stream.Dispose();
        var readAfter = () => stream.Read(new byte[10]);
        readAfter.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task DirectReadStream_Disposes_WhileItReadsAhead()
    {
        var data = RandomNumberGenerator.GetBytes(3 * Buffer);
        var layout = await StoreAsync(data);
        var path = Directory.EnumerateFiles(_directory.Combine("blobs"), layout.Segments[0].BlobId, SearchOption.AllDirectories).Single();
        var read = new byte[10];

        for (var round = 0; round < 20; round++)
        {
            var stream = new DirectReadStream(RecordDirectOpen(path)!, round, data.Length);
            (await stream.ReadAsync(read)).Should().Be(10);
            read.Should().Equal(data.AsSpan(round, 10).ToArray());
            if (round % 2 == 0)
            {
                await stream.DisposeAsync();
            }
            else
            {
                stream.Dispose();
            }
        }
    }

    [Fact]
    public async Task OpenRead_ReadsThroughThePageCache_WhenTheFileSystemRefusesDirectReads()
    {
        _blobs.DirectOpen = _ => null;
        var data = RandomNumberGenerator.GetBytes(Buffer + 3);
        var layout = await StoreAsync(data);

        (await ReadAsync(layout, 2, data.Length - 2, chunk: 65536)).Should().Equal(data.AsSpan(2).ToArray());
    }

    [Fact]
    public async Task OpenRead_ReadsEncryptedBlobsThroughThePageCache()
    {
        var data = RandomNumberGenerator.GetBytes(Buffer + 3);
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, true, default);
        _blobs.Promote(staged);

        (await ReadAsync(BlobLayout.Single(staged.BlobId, data.Length, staged.WrappedKey), 0, data.Length, chunk: 65536)).Should().Equal(data);
        _directOpens.Should().BeEmpty("sealed files are read by their own stream");
    }

    [Fact]
    public async Task OpenRead_FindsABlobAnEarlierBuildWroteUnderItsClockDigits_WhenReadingAroundThePageCache()
    {
        var data = RandomNumberGenerator.GetBytes(Buffer + 3);
        var layout = await StoreAsync(data);
        var id = layout.Segments[0].BlobId;
        var legacy = _directory.Combine("blobs", id[..2], id[2..4], id);
        Directory.CreateDirectory(Path.GetDirectoryName(legacy)!);
        File.Move(_directory.Combine("blobs", id[28..30], id[30..32], id), legacy);

        (await ReadAsync(layout, 0, data.Length, chunk: 65536)).Should().Equal(data);
        _directOpens.Should().Equal(true);
    }

    private async Task<BlobLayout> StoreAsync(byte[] data)
    {
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, false, default);
        _blobs.Promote(staged);
        return BlobLayout.Single(staged.BlobId, data.Length);
    }

    private async Task<byte[]> ReadAsync(BlobLayout layout, long offset, long length, int chunk)
    {
        await using var stream = _blobs.OpenRead(layout, offset, length);
        var read = new MemoryStream();
        var buffer = new byte[chunk];
        int count;
        while ((count = await stream.ReadAsync(buffer)) > 0)
        {
            read.Write(buffer, 0, count);
        }

        return read.ToArray();
    }

    private byte[] ReadSynchronously(BlobLayout layout, long offset, long length, int chunk)
    {
        using var stream = _blobs.OpenRead(layout, offset, length);
        var read = new MemoryStream();
        var buffer = new byte[chunk];
        int count;
        while ((count = stream.Read(buffer)) > 0)
        {
            read.Write(buffer, 0, count);
        }

        return read.ToArray();
    }

    private SafeFileHandle? RecordDirectOpen(string path)
    {
        var handle = (DirectFile.NativeRead ?? throw new PlatformNotSupportedException("Direct reads are tested on Linux"))(path);
        _directOpens.Add(handle is not null && DirectFlags.Of(handle));
        return handle;
    }
}
