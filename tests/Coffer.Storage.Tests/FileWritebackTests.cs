using System.Security.Cryptography;
using Coffer.Storage.Blobs;
using Coffer.Storage.Encryption;
using Coffer.Testing;
using Microsoft.Win32.SafeHandles;
using Flags = Coffer.Storage.Blobs.FileWriteback.SyncFlags;

namespace Coffer.Storage.Tests;

public sealed class FileWritebackTests : IDisposable
{
    private const long Window = FileWriteback.WindowSize;

    private readonly TempDirectory _directory = new("writeback");
    private readonly BlobStore _blobs;
    private readonly List<(long Offset, long Length, Flags Flags, bool Done)> _calls = [];

    public FileWritebackTests()
    {
        // Plaintext files written around the page cache have no writeback to start: these files go through it.
        _blobs = new BlobStore(_directory.Path, MasterKey.LoadOrCreate(_directory.Path)) { WritebackSync = Record, DirectCreate = null };
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task StageAsync_StartsEachWindowsWriteback_AndWaitsForNone()
    {
        var data = RandomNumberGenerator.GetBytes((int)(6 * Window + 12345));
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, false, default);

        _calls.Select(call => (call.Offset, call.Length, call.Flags)).Should().Equal(
            Enumerable.Range(0, 6).Select(i => (i * Window, Window, Flags.Write)));
        if (OperatingSystem.IsLinux())
        {
            _calls.Should().OnlyContain(call => call.Done, "the kernel takes sync_file_range on a staged file");
        }

        staged.Md5.Should().Equal(MD5.HashData(data));
        File.ReadAllBytes(staged.TempPath).Should().Equal(data);
    }

    [Fact]
    public async Task StageAsync_Fails_AndLeavesNoFile_WhenStartingWritebackFails()
    {
        var failing = new BlobStore(_directory.Path, MasterKey.LoadOrCreate(_directory.Path))
        {
            WritebackSync = (_, _, _, _) => throw new IOException("sync_file_range failed (errno 5)."),
            DirectCreate = null,
        };
        var data = RandomNumberGenerator.GetBytes((int)(2 * Window));

        var stage = () => failing.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, false, default);

        await stage.Should().ThrowAsync<IOException>();
        Directory.EnumerateFiles(_directory.Path, "*", SearchOption.AllDirectories)
            .Should().OnlyContain(path => Path.GetFileName(path) == "master.key", "a failed stage leaves no temporary file");
    }

    [Fact]
    public async Task StageAsync_StartsWritebackOfTheSealedBytes_WhenEncrypted()
    {
        // Half a window past three: the sealing overhead stays inside the fourth window, which is never whole.
        var data = RandomNumberGenerator.GetBytes((int)(3 * Window) + (int)(Window / 2));
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, true, default);

        var sealedLength = new FileInfo(staged.TempPath).Length;
        sealedLength.Should().BeGreaterThan(data.Length);
        _calls.Select(call => call.Offset).Should().Equal(0, Window, 2 * Window);
        _calls.Should().OnlyContain(call => call.Flags == Flags.Write);
        staged.Md5.Should().Equal(MD5.HashData(data));
    }

    [Fact]
    public async Task StageAsync_StartsTheWritebackOfEveryWholeMebibyte_SoTheFsyncFindsAtMostOneLeft()
    {
        const long Mebibyte = 1 << 20;
        var data = RandomNumberGenerator.GetBytes((int)((3 * Mebibyte) + (Mebibyte / 2)));
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, false, default);

        _calls.Select(call => (call.Offset, call.Length)).Should().Equal((0, Mebibyte), (Mebibyte, Mebibyte), (2 * Mebibyte, Mebibyte));
    }

    [Fact]
    public async Task StageAsync_StartsNoWriteback_BelowOneWindow()
    {
        var data = RandomNumberGenerator.GetBytes((int)Window - 1);
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, false, default);
        _calls.Should().BeEmpty();
        staged.Length.Should().Be(data.Length);
    }

    [Fact]
    public void Advance_StopsAskingTheKernel_AfterItRefusesOnce()
    {
        using var file = File.OpenHandle(_directory.Combine("refused"), FileMode.Create, FileAccess.Write);
        var calls = 0;
        var writeback = new FileWriteback(file, (_, _, _, _) => ++calls < 0);
        writeback.Advance(3 * Window);
        writeback.Advance(10 * Window);
        calls.Should().Be(1);
    }

    private bool Record(SafeFileHandle file, long offset, long length, Flags flags)
    {
        var done = FileWriteback.Native?.Invoke(file, offset, length, flags) ?? true;
        _calls.Add((offset, length, flags, done));
        return done;
    }
}
