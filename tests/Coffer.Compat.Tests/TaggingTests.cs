using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Coffer.Compat.Tests;

public sealed class TaggingTests : S3TestBase
{
    [Fact]
    public async Task PutObjectTagging_StoresTheTags_ThatGetObjectTaggingReturns()
    {
        await PutAsync("doc", [1]);

        await S3.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = Bucket,
            Key = "doc",
            Tagging = new Tagging { TagSet = [new Tag { Key = "project", Value = "coffer" }, new Tag { Key = "tier", Value = "gold" }] },
        });

        var tags = await S3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = Bucket, Key = "doc" });
        tags.Tagging.Select(t => (t.Key, t.Value)).Should().BeEquivalentTo([("project", "coffer"), ("tier", "gold")]);
        using var get = await S3.GetObjectAsync(Bucket, "doc");
        get.TagCount.Should().Be(2);
    }

    [Fact]
    public async Task PutObjectTagging_ReplacesTheWholeTagSet()
    {
        await PutAsync("doc", [1]);
        await PutTagsAsync("doc", new Tag { Key = "a", Value = "1" }, new Tag { Key = "b", Value = "2" });

        await PutTagsAsync("doc", new Tag { Key = "c", Value = "3" });

        var tags = await S3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = Bucket, Key = "doc" });
        tags.Tagging.Select(t => (t.Key, t.Value)).Should().Equal(("c", "3"));
    }

    [Fact]
    public async Task PutObject_StoresTags_FromTheTagSet()
    {
        await S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket,
            Key = "doc",
            ContentBody = "tagged",
            TagSet = [new Tag { Key = "team", Value = "storage" }, new Tag { Key = "note", Value = "a b+c=d/e@f" }],
        });

        var tags = await S3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = Bucket, Key = "doc" });
        tags.Tagging.Select(t => (t.Key, t.Value)).Should().BeEquivalentTo([("team", "storage"), ("note", "a b+c=d/e@f")]);
    }

    [Fact]
    public async Task DeleteObjectTagging_RemovesEveryTag()
    {
        await PutAsync("doc", [1]);
        await PutTagsAsync("doc", new Tag { Key = "a", Value = "1" });

        var delete = await S3.DeleteObjectTaggingAsync(new DeleteObjectTaggingRequest { BucketName = Bucket, Key = "doc" });

        delete.HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        (await S3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = Bucket, Key = "doc" })).Tagging.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task PutObjectTagging_FailsWithInvalidTag_ForElevenTags()
    {
        await PutAsync("doc", [1]);
        var eleven = Enumerable.Range(0, 11).Select(i => new Tag { Key = $"k{i}", Value = $"v{i}" }).ToArray();

        await ShouldFailAsync(() => PutTagsAsync("doc", eleven), HttpStatusCode.BadRequest, "InvalidTag");
        (await S3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = Bucket, Key = "doc" })).Tagging.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task PutObjectTagging_AcceptsTenTags()
    {
        await PutAsync("doc", [1]);
        var ten = Enumerable.Range(0, 10).Select(i => new Tag { Key = $"k{i}", Value = $"v{i}" }).ToArray();

        await PutTagsAsync("doc", ten);

        (await S3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = Bucket, Key = "doc" })).Tagging.Should().HaveCount(10);
    }

    [Fact]
    public async Task ObjectTagging_ReadsWritesAndDeletesTheTagsOfTheVersionNamedByVersionId()
    {
        await S3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = Bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
        var older = await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "doc", ContentBody = "one", TagSet = [new Tag { Key = "gen", Value = "1" }] });
        var newer = await S3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "doc", ContentBody = "two", TagSet = [new Tag { Key = "gen", Value = "2" }] });

        var put = await S3.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = Bucket,
            Key = "doc",
            VersionId = older.VersionId,
            Tagging = new Tagging { TagSet = [new Tag { Key = "gen", Value = "old" }, new Tag { Key = "kept", Value = "yes" }] },
        });
        var olderTags = await S3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = Bucket, Key = "doc", VersionId = older.VersionId });
        var latestTags = await S3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = Bucket, Key = "doc" });

        put.VersionId.Should().Be(older.VersionId);
        olderTags.VersionId.Should().Be(older.VersionId);
        olderTags.Tagging.Select(t => (t.Key, t.Value)).Should().BeEquivalentTo([("gen", "old"), ("kept", "yes")]);
        latestTags.VersionId.Should().Be(newer.VersionId);
        latestTags.Tagging.Select(t => (t.Key, t.Value)).Should().Equal(("gen", "2"));

        var delete = await S3.DeleteObjectTaggingAsync(new DeleteObjectTaggingRequest { BucketName = Bucket, Key = "doc", VersionId = older.VersionId });

        delete.VersionId.Should().Be(older.VersionId);
        (await S3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = Bucket, Key = "doc", VersionId = older.VersionId }))
            .Tagging.Should().BeNullOrEmpty();
        (await S3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = Bucket, Key = "doc", VersionId = newer.VersionId }))
            .Tagging.Select(t => (t.Key, t.Value)).Should().Equal(("gen", "2"));
    }

    [Fact]
    public async Task GetObjectTagging_FailsWithNoSuchKey_ForAMissingKey()
    {
        await ShouldFailAsync(() => S3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = Bucket, Key = "missing" }),
            HttpStatusCode.NotFound, "NoSuchKey");
    }

    private Task PutTagsAsync(string key, params Tag[] tags) =>
        S3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = Bucket, Key = key, Tagging = new Tagging { TagSet = [.. tags] } });
}
