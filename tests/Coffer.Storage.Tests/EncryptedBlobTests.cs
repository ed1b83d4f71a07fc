using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Storage.Blobs;
using Coffer.Storage.Encryption;
using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

public sealed class EncryptedBlobTests : IDisposable
{
    private const int Segment = 64 * 1024;
    private const int Header = 12;
    private const int Tag = 16;

    private readonly TempDirectory _directory = new("sealed");
    private readonly MasterKey _key = NewKey();
    private readonly BlobStore _blobs;

    public EncryptedBlobTests()
    {
        _blobs = new BlobStore(_directory.Path, _key);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(Segment - 1)]
    [InlineData(Segment)]
    public async Task AnInlineBlob_IsSealedExactlyAsItsFileWouldBe_AndReadsFromEither(int length)
    {
        var data = Recognisable(length);
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, encrypt: true, default, inline: true);
        var sealedBytes = staged.InlineData!;
        sealedBytes.Length.Should().Be(Header + length + Tag);
        if (length >= 16)
        {
            sealedBytes.AsSpan().IndexOf(data.AsSpan(0, 16)).Should().Be(-1);
        }

        var inline = new BlobSegment(staged.BlobId, length, staged.WrappedKey, Inline: true);
        Read(_blobs.OpenRead(new BlobLayout([inline]), 0, length, new Dictionary<string, byte[]> { [staged.BlobId] = sealedBytes })).Should().Equal(data);

        // The same bytes as a file of the blob store: the format is one.
        var file = _directory.Combine("blobs", staged.BlobId[^4..^2], staged.BlobId[^2..], staged.BlobId);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllBytesAsync(file, sealedBytes);
        Read(_blobs.OpenRead(new BlobLayout([inline with { Inline = false }]), length / 2, length - (length / 2))).Should().Equal(data[(length / 2)..]);

        sealedBytes[Header + (length / 2)] ^= 1;
        var tampered = () => Read(_blobs.OpenRead(new BlobLayout([inline]), 0, length, new Dictionary<string, byte[]> { [staged.BlobId] = sealedBytes }));
        tampered.Should().Throw<BlobIntegrityException>();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(Segment - 1)]
    [InlineData(Segment)]
    [InlineData(Segment + 1)]
    [InlineData((3 * Segment) + 5)]
    public async Task StageAsync_WritesNoPlaintext_AndOpenReadReturnsIt(int length)
    {
        var data = Recognisable(length);
        var segment = await StageAndPromoteAsync(data);

        var file = await File.ReadAllBytesAsync(BlobFile(segment));
        file.Length.Should().Be(Header + length + (Tag * ((length + Segment - 1) / Segment)));
        if (length >= 16)
        {
            // Shorter plaintext turns up in random bytes by chance (one byte in about one file of nine this size), so
            // only a run that chance cannot produce says anything.
            ContainsRun(file, data, 16).Should().BeFalse("no 16 plaintext bytes in a row may reach the disk");
        }

        (await ReadAsync(new BlobLayout([segment]), 0, length)).Should().Equal(data);
    }

    [Fact]
    public async Task StageAsync_ChecksumsThePlaintext()
    {
        var data = Recognisable(100_000);
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, true, default);
        staged.Md5.Should().Equal(MD5.HashData(data));
        staged.Crc64.Should().Be(Crc64.Compute(data));
        staged.WrappedKey.Should().NotBeNull();
    }

    [Fact]
    public async Task StageAsync_UsesAFreshDataKeyAndNonce_ForEveryBlob()
    {
        var data = Recognisable(1000);
        var first = await StageAndPromoteAsync(data);
        var second = await StageAndPromoteAsync(data);
        first.WrappedKey.Should().NotEqual(second.WrappedKey);
        (await File.ReadAllBytesAsync(BlobFile(first))).Should().NotEqual(await File.ReadAllBytesAsync(BlobFile(second)));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(Segment - 3, 6)]
    [InlineData(Segment, Segment)]
    [InlineData(Segment + 7, (2 * Segment) - 10)]
    [InlineData((3 * Segment) + 1, 4)]
    public async Task OpenRead_ReturnsAnyRange_AcrossSegmentBoundaries(int offset, int length)
    {
        var data = Recognisable((3 * Segment) + 5);
        var segment = await StageAndPromoteAsync(data);
        (await ReadAsync(new BlobLayout([segment]), offset, length)).Should().Equal(data.AsSpan(offset, length).ToArray());
    }

    [Fact]
    public async Task OpenRead_ReadsALayoutOfEncryptedAndPlainBlobs()
    {
        var first = Recognisable(Segment + 10);
        var second = RandomBytes(300);
        var encrypted = await StageAndPromoteAsync(first);
        var plain = await StageAndPromoteAsync(second, encrypt: false);
        plain.WrappedKey.Should().BeNull();

        var layout = new BlobLayout([encrypted, plain]);
        (await ReadAsync(layout, Segment, 110)).Should().Equal(first[Segment..].Concat(second[..100]));
    }

    [Fact]
    public async Task OpenRead_Fails_BeforeAnyByte_WhenTheFirstSegmentWasChanged()
    {
        var segment = await StageAndPromoteAsync(Recognisable(3 * Segment));
        FlipByte(BlobFile(segment), Header + 100);

        var act = () => _blobs.OpenRead(new BlobLayout([segment]), 0, 3 * Segment);
        act.Should().Throw<BlobIntegrityException>().WithMessage("*Segment 0*");
    }

    [Fact]
    public async Task Read_Fails_AtTheSegmentThatWasChanged_AfterServingTheOnesBefore()
    {
        var data = Recognisable(3 * Segment);
        var segment = await StageAndPromoteAsync(data);
        FlipByte(BlobFile(segment), Header + (2 * (Segment + Tag)) + 5);

        await using var stream = _blobs.OpenRead(new BlobLayout([segment]), 0, data.Length);
        var served = new byte[2 * Segment];
        await stream.ReadExactlyAsync(served);
        served.Should().Equal(data[..(2 * Segment)]);
        var act = () => stream.ReadAsync(new byte[10]).AsTask();
        (await act.Should().ThrowAsync<BlobIntegrityException>()).WithMessage("*Segment 2*");
    }

    [Fact]
    public async Task OpenRead_Fails_WhenTheHeaderWasChanged()
    {
        var segment = await StageAndPromoteAsync(Recognisable(100));
        FlipByte(BlobFile(segment), Header - 1);
        var act = () => _blobs.OpenRead(new BlobLayout([segment]), 0, 100);
        act.Should().Throw<BlobIntegrityException>();
    }

    [Fact]
    public async Task OpenRead_Fails_WhenTheFileIsShorterOrLongerThanItsLength()
    {
        var segment = await StageAndPromoteAsync(Recognisable(2 * Segment));
        var path = BlobFile(segment);
        var original = await File.ReadAllBytesAsync(path);

        await File.WriteAllBytesAsync(path, original[..^1]);
        var shorter = () => _blobs.OpenRead(new BlobLayout([segment]), Segment, 10);
        shorter.Should().Throw<BlobIntegrityException>();

        await File.WriteAllBytesAsync(path, [.. original, 0]);
        var longer = () => _blobs.OpenRead(new BlobLayout([segment]), 0, 10);
        longer.Should().Throw<BlobIntegrityException>();
    }

    [Fact]
    public async Task OpenRead_Fails_WhenTheFileWasCutAtASegmentBoundary_AndTheLengthShortenedToMatch()
    {
        // Everything consistent but the last-segment flag: only it tells a cut file from a whole one.
        var segment = await StageAndPromoteAsync(Recognisable(2 * Segment));
        var path = BlobFile(segment);
        await File.WriteAllBytesAsync(path, (await File.ReadAllBytesAsync(path))[..(Header + Segment + Tag)]);

        var act = () => _blobs.OpenRead(new BlobLayout([segment with { Length = Segment }]), 0, Segment);
        act.Should().Throw<BlobIntegrityException>();
    }

    [Fact]
    public async Task Read_Fails_WhenTwoSegmentsWereSwapped()
    {
        var segment = await StageAndPromoteAsync(Recognisable(3 * Segment));
        var path = BlobFile(segment);
        var file = await File.ReadAllBytesAsync(path);
        var one = file.AsSpan(Header, Segment + Tag).ToArray();
        file.AsSpan(Header + Segment + Tag, Segment + Tag).CopyTo(file.AsSpan(Header));
        one.CopyTo(file.AsSpan(Header + Segment + Tag));
        await File.WriteAllBytesAsync(path, file);

        var act = () => _blobs.OpenRead(new BlobLayout([segment]), 0, 3 * Segment);
        act.Should().Throw<BlobIntegrityException>();
    }

    [Fact]
    public async Task OpenRead_Fails_UnderAnotherMasterKey_AndNamesBothKeys()
    {
        var segment = await StageAndPromoteAsync(Recognisable(100));
        var other = NewKey();
        var act = () => new BlobStore(_directory.Path, other).OpenRead(new BlobLayout([segment]), 0, 100);
        act.Should().Throw<BlobIntegrityException>().WithMessage($"*{_key.Id}*{other.Id}*");
    }

    [Fact]
    public async Task OpenRead_Fails_WhenAWrappedKeyIsGivenToAnotherBlob()
    {
        var first = await StageAndPromoteAsync(Recognisable(100));
        var second = await StageAndPromoteAsync(Recognisable(100));
        var act = () => _blobs.OpenRead(new BlobLayout([second with { WrappedKey = first.WrappedKey }]), 0, 100);
        act.Should().Throw<BlobIntegrityException>().WithMessage("*data key*failed authentication*");
    }

    [Fact]
    public async Task OpenRead_Fails_WhenAWrappedKeyWasChanged()
    {
        var segment = await StageAndPromoteAsync(Recognisable(100));
        var changed = segment.WrappedKey!.ToArray();
        changed[^1] ^= 1;
        var act = () => _blobs.OpenRead(new BlobLayout([segment with { WrappedKey = changed }]), 0, 100);
        act.Should().Throw<BlobIntegrityException>();
    }

    public void Dispose() => _directory.Dispose();

    private static MasterKey NewKey() => MasterKey.FromBase64(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    private async Task<BlobSegment> StageAndPromoteAsync(byte[] data, bool encrypt = true)
    {
        using var staged = await _blobs.StageAsync(new MemoryStream(data), data.Length, long.MaxValue, encrypt, default);
        _blobs.Promote(staged);
        return new BlobSegment(staged.BlobId, staged.Length, staged.WrappedKey);
    }

    private async Task<byte[]> ReadAsync(BlobLayout layout, long offset, long length)
    {
        await using var stream = _blobs.OpenRead(layout, offset, length);
        var read = new MemoryStream();
        await stream.CopyToAsync(read);
        return read.ToArray();
    }

    private static byte[] Read(Stream stream)
    {
        using (stream)
        {
            var read = new MemoryStream();
            stream.CopyTo(read);
            return read.ToArray();
        }
    }

    private string BlobFile(BlobSegment segment) =>
        Directory.EnumerateFiles(_directory.Combine("blobs"), segment.BlobId, SearchOption.AllDirectories).Single();

    private static void FlipByte(string path, long position)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = position;
        var value = (byte)file.ReadByte();
        file.Position = position;
        file.WriteByte((byte)(value ^ 0x40));
    }

    /// <summary>Text that repeats, so any stretch of it would show up in a file that held it in the clear.</summary>
    private static byte[] Recognisable(int length) =>
        Enumerable.Range(0, length).Select(i => (byte)"coffer plaintext "[i % 17]).ToArray();

    private static bool ContainsRun(byte[] haystack, byte[] source, int run) => haystack.AsSpan().IndexOf(source.AsSpan(0, run)) >= 0;

    private static byte[] RandomBytes(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }
}
