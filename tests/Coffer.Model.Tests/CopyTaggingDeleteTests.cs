using System.Text;
using Coffer.Common;
using Coffer.Model.Buckets;
using Coffer.Model.Objects;

namespace Coffer.Model.Tests;

public sealed class CopyTaggingDeleteTests : IDisposable
{
    private const string Bucket = "copies-1250000000";
    private readonly ObjectServiceFixture _fixture = new();

    private ObjectService Service => _fixture.Service;

    [Fact]
    public async Task CopyObject_KeepsContentTypeMetadataAndTags_WithTheCopyDirective()
    {
        await SetUpAsync();
        await PutAsync("src", "payload", r => r with { ContentType = "text/plain", UserMetadata = [new("a", "1")], Tags = [new("t", "v")] });
        var copy = await Service.CopyObjectAsync(new CopyObjectRequest { SourceBucket = Bucket, SourceKey = "src", Bucket = Bucket, Key = "dst" });

        copy.ContentType.Should().Be("text/plain");
        copy.UserMetadata.Should().Equal(new[] { new KeyValuePair<string, string>("a", "1") });
        copy.Tags.Should().Equal(new[] { new KeyValuePair<string, string>("t", "v") });
        copy.ETag.Should().Be(Service.HeadObject(Bucket, "src").ETag);
        Read(Service.GetObject(Bucket, "dst")).Should().Be("payload");
    }

    [Fact]
    public async Task CopyObject_UsesTheRequestsMetadata_WithTheReplaceDirective()
    {
        await SetUpAsync();
        await PutAsync("src", "payload", r => r with { UserMetadata = [new("a", "1")] });
        var copy = await Service.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = Bucket,
            SourceKey = "src",
            Bucket = Bucket,
            Key = "dst",
            ReplaceMetadata = true,
            ContentType = "application/json",
            UserMetadata = [new("b", "2")],
            StorageClass = "STANDARD_IA",
        });
        copy.UserMetadata.Should().Equal(new[] { new KeyValuePair<string, string>("b", "2") });
        copy.ContentType.Should().Be("application/json");
        copy.StorageClass.Should().Be("STANDARD_IA");
    }

    [Fact]
    public async Task CopyObject_SurvivesTheDeletionOfItsSource()
    {
        await SetUpAsync();
        await PutAsync("src", "payload");
        await Service.CopyObjectAsync(new CopyObjectRequest { SourceBucket = Bucket, SourceKey = "src", Bucket = Bucket, Key = "dst" });
        await Service.DeleteObjectAsync(Bucket, "src");
        Read(Service.GetObject(Bucket, "dst")).Should().Be("payload");
    }

    [Fact]
    public async Task CopyObject_ThrowsInvalidRequest_WhenCopyingToItselfUnchanged()
    {
        await SetUpAsync();
        await PutAsync("src", "payload");
        var act = () => Service.CopyObjectAsync(new CopyObjectRequest { SourceBucket = Bucket, SourceKey = "src", Bucket = Bucket, Key = "src" });
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidRequest);
        var withNewMetadata = await Service.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = Bucket,
            SourceKey = "src",
            Bucket = Bucket,
            Key = "src",
            ReplaceMetadata = true,
            UserMetadata = [new("x", "y")],
        });
        withNewMetadata.UserMetadata.Should().ContainSingle();
    }

    [Fact]
    public async Task CopyObject_CopiesAnOlderVersion_WhenAsked()
    {
        await SetUpAsync(BucketVersioning.Enabled);
        var old = await PutAsync("src", "old");
        await PutAsync("src", "new");
        await Service.CopyObjectAsync(new CopyObjectRequest { SourceBucket = Bucket, SourceKey = "src", SourceVersionId = old.VersionId, Bucket = Bucket, Key = "dst" });
        Read(Service.GetObject(Bucket, "dst")).Should().Be("old");
    }

    [Fact]
    public async Task PutObjectTagging_ReplacesTheTagsOfOneVersion()
    {
        await SetUpAsync(BucketVersioning.Enabled);
        var first = await PutAsync("k", "1", r => r with { Tags = [new("a", "1")] });
        await PutAsync("k", "2");
        await Service.PutObjectTaggingAsync(Bucket, "k", first.VersionId, [new("b", "2"), new("c", "3")]);

        Service.HeadObject(Bucket, "k", first.VersionId).Tags.Should().Equal(new[] { new KeyValuePair<string, string>("b", "2"), new KeyValuePair<string, string>("c", "3") });
        Service.HeadObject(Bucket, "k").Tags.Should().BeEmpty();
    }

    public static TheoryData<KeyValuePair<string, string>[]> InvalidTagSets()
    {
        static KeyValuePair<string, string>[] Tags(params (string Key, string Value)[] tags) =>
            tags.Select(t => new KeyValuePair<string, string>(t.Key, t.Value)).ToArray();

        return new TheoryData<KeyValuePair<string, string>[]>
        {
            Tags(Enumerable.Range(0, 11).Select(i => ($"k{i}", "v")).ToArray()),
            Tags((new string('k', 129), "v")),
            Tags(("k", new string('v', 257))),
            Tags(("", "v")),
            Tags(("k", "1"), ("k", "2")),
            Tags(("k<", "v")),
        };
    }

    [Theory]
    [MemberData(nameof(InvalidTagSets))]
    public async Task PutObjectTagging_ThrowsInvalidTag_ForTagsOutsideTheLimits(KeyValuePair<string, string>[] tags)
    {
        await SetUpAsync();
        await PutAsync("k", "1");
        var act = () => Service.PutObjectTaggingAsync(Bucket, "k", null, tags);
        (await act.Should().ThrowAsync<CofferException>()).Which.Code.Should().Be(ErrorCode.InvalidTag);
    }

    [Fact]
    public async Task PutObjectTagging_AcceptsTheLimits()
    {
        await SetUpAsync();
        await PutAsync("k", "1");
        var tags = Enumerable.Range(0, 10).Select(i => new KeyValuePair<string, string>(new string((char)('a' + i), 128), new string('v', 256))).ToArray();
        (await Service.PutObjectTaggingAsync(Bucket, "k", null, tags)).Tags.Should().HaveCount(10);
    }

    [Fact]
    public async Task DeleteObjects_DeletesEachEntry_AndReportsErrorsPerEntry()
    {
        await SetUpAsync(BucketVersioning.Enabled);
        var kept = await PutAsync("versioned", "v");
        await PutAsync("plain", "p");
        var results = await Service.DeleteObjectsAsync(Bucket,
        [
            new ObjectIdentifier("plain", null),
            new ObjectIdentifier("versioned", kept.VersionId),
            new ObjectIdentifier("", null),
            new ObjectIdentifier("never-existed", null),
        ]);

        results[0].Result!.IsDeleteMarker.Should().BeTrue();
        results[1].Result.Should().Be(new DeleteObjectResult(kept.VersionId, false));
        results[2].Error!.Code.Should().Be(ErrorCode.InvalidArgument);
        results[3].Result!.IsDeleteMarker.Should().BeTrue();
        Service.ListObjects(Bucket, new ListObjectsQuery()).Objects.Should().BeEmpty();
    }

    public void Dispose() => _fixture.Dispose();

    private async Task SetUpAsync(BucketVersioning versioning = BucketVersioning.Unversioned)
    {
        await Service.CreateBucketAsync(Bucket, ObjectServiceFixture.Owner, "ap-guangzhou");
        if (versioning != BucketVersioning.Unversioned)
        {
            await Service.SetBucketVersioningAsync(Bucket, versioning);
        }
    }

    private Task<ObjectInfo> PutAsync(string key, string body, Func<PutObjectRequest, PutObjectRequest>? customize = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new PutObjectRequest { Bucket = Bucket, Key = key, Body = new MemoryStream(bytes), ContentLength = bytes.Length };
        return Service.PutObjectAsync(customize is null ? request : customize(request));
    }

    private static string Read(ObjectContent content)
    {
        using var stream = content.Open();
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
