using Coffer.Composition;
using Coffer.Storage.Records;
using Coffer.Testing;

namespace Coffer.Storage.Tests;

public sealed class StorageEngineTests : IDisposable
{
    private readonly TempDirectory _directory = new("engine");

    [Fact]
    public async Task Open_DeletesBlob_WhoseCommitNeverHappened()
    {
        string path;
        using (var engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = _directory.Path, Time = TimeProvider.System }))
        {
            // The crash window: intent noted and blob renamed into place, metadata not committed.
            var staged = await engine.Blobs.StageAsync(new MemoryStream(new byte[100]), 100, long.MaxValue, false, default);
            await engine.Metadata.Blobs.RecordIntentAsync(staged.BlobId);
            engine.Blobs.Promote(staged);
            path = BlobFiles().Single();
        }

        using (CofferCore.OpenEngine(new CoreOptions { DataDirectory = _directory.Path, Time = TimeProvider.System }))
        {
            File.Exists(path).Should().BeFalse();
        }
    }

    [Fact]
    public async Task Open_ClearsTemporaryFiles()
    {
        File.WriteAllText(_directory.Combine("stray"), "");
        Directory.CreateDirectory(_directory.Combine("tmp"));
        File.WriteAllText(_directory.Combine("tmp", "0123456789abcdef"), "partial upload");
        using var engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = _directory.Path, Time = TimeProvider.System });
        Directory.EnumerateFiles(_directory.Combine("tmp")).Should().BeEmpty();
        await Task.CompletedTask;
    }

    [Fact]
    public async Task CommitAsync_KeepsClaimedBlob_AndDeletesReleasedBlob()
    {
        using var engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = _directory.Path, Time = TimeProvider.System });
        var bucket = await engine.Metadata.WriteAsync(w => w.Buckets.Create(new BucketRecord
        {
            Name = "b-1",
            OwnerAppId = "1",
            Region = "r",
        }));
        var first = await PutAsync(engine, bucket, null);
        BlobFiles().Should().HaveCount(1);

        await PutAsync(engine, bucket, first);
        var remaining = BlobFiles();
        remaining.Should().HaveCount(1);
        Path.GetFileName(remaining[0]).Should().NotBe(first.Layout.Segments[0].BlobId);
        engine.Metadata.Blobs.ListUnreferenced().Should().BeEmpty();
    }

    [Fact]
    public async Task CommitAsync_DeletesTheBlob_WhenTheTransactionFails()
    {
        using var engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = _directory.Path, Time = TimeProvider.System });
        var staged = await engine.Blobs.StageAsync(new MemoryStream(new byte[10]), 10, long.MaxValue, false, default);
        var act = () => engine.CommitAsync<int>(staged, _ => throw new InvalidOperationException("rejected"));
        await act.Should().ThrowAsync<InvalidOperationException>();
        BlobFiles().Should().BeEmpty();
        engine.Metadata.Blobs.ListUnreferenced().Should().BeEmpty();
    }

    public void Dispose() => _directory.Dispose();

    private static async Task<ObjectVersionRecord> PutAsync(StorageEngine engine, BucketRecord bucket, ObjectVersionRecord? replaces)
    {
        using var staged = await engine.Blobs.StageAsync(new MemoryStream(new byte[10]), 10, long.MaxValue, false, default);
        return await engine.CommitAsync(staged, w =>
        {
            if (replaces is not null)
            {
                w.Versions.Delete(bucket.Id, replaces.Key, replaces.Sequence);
                w.ReleaseBlobs(replaces.Layout);
            }

            return w.Versions.Insert(new ObjectVersionRecord
            {
                BucketId = bucket.Id,
                Key = "k",
                VersionId = ObjectVersionRecord.NullVersionId,
                IsLatest = true,
                Size = staged.Length,
                Layout = BlobLayout.Single(staged.BlobId, staged.Length),
            });
        });
    }

    private string[] BlobFiles() =>
        Directory.Exists(_directory.Combine("blobs"))
            ? Directory.EnumerateFiles(_directory.Combine("blobs"), "*", SearchOption.AllDirectories).ToArray()
            : [];
}
