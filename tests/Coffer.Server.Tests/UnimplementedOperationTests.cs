using System.Net;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests;

/// <summary>
/// Every operation of the S3 API reference and of COS's API list that Coffer does not have answers NotImplemented (501)
/// on the wire, in the request's dialect, on an existing bucket and object: docs/compatibility.md lists each with this
/// test.
/// </summary>
public sealed class UnimplementedOperationTests() : ServerTestBase("unimpl")
{
    protected override async Task SeedAsync()
    {
        (await Server.PutObjectAsync(Bucket, "k", [1])).EnsureSuccessStatusCode();
    }

    [Theory]
    // Analytics and metrics configurations: Put, Get, Delete, List.
    [InlineData("PUT", null, "analytics&id=a")]
    [InlineData("GET", null, "analytics&id=a")]
    [InlineData("DELETE", null, "analytics&id=a")]
    [InlineData("GET", null, "analytics")]
    [InlineData("PUT", null, "metrics&id=m")]
    [InlineData("GET", null, "metrics&id=m")]
    [InlineData("DELETE", null, "metrics&id=m")]
    [InlineData("GET", null, "metrics")]
    // S3 Intelligent-Tiering configurations (S3's spelling; COS's is below).
    [InlineData("PUT", null, "intelligent-tiering&id=t")]
    [InlineData("GET", null, "intelligent-tiering&id=t")]
    [InlineData("DELETE", null, "intelligent-tiering&id=t")]
    [InlineData("GET", null, "intelligent-tiering")]
    // Transfer acceleration.
    [InlineData("PUT", null, "accelerate")]
    [InlineData("GET", null, "accelerate")]
    // Website, replication.
    [InlineData("PUT", null, "website")]
    [InlineData("GET", null, "website")]
    [InlineData("DELETE", null, "website")]
    [InlineData("PUT", null, "replication")]
    [InlineData("GET", null, "replication")]
    [InlineData("DELETE", null, "replication")]
    // S3 Metadata (journal and inventory tables), attribute-based access control, S3 Express sessions.
    [InlineData("POST", null, "metadataConfiguration")]
    [InlineData("GET", null, "metadataConfiguration")]
    [InlineData("DELETE", null, "metadataConfiguration")]
    [InlineData("PUT", null, "metadataInventoryTable")]
    [InlineData("PUT", null, "metadataJournalTable")]
    [InlineData("POST", null, "metadataTable")]
    [InlineData("GET", null, "metadataTable")]
    [InlineData("DELETE", null, "metadataTable")]
    [InlineData("PUT", null, "abac")]
    [InlineData("GET", null, "abac")]
    [InlineData("GET", null, "session")]
    // Objects: torrent, restore, select, rename.
    [InlineData("GET", "k", "torrent")]
    [InlineData("POST", "k", "restore")]
    [InlineData("POST", "k", "select&select-type=2")]
    [InlineData("PUT", "k", "renameObject")]
    public async Task S3Operation_CofferDoesNotHave_AnswersNotImplemented(string method, string? key, string query)
    {
        var response = await S3.SendAsync(new HttpMethod(method), Bucket, key, query);
        await response.ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented", Dialect.S3);
    }

    [Theory]
    [InlineData("PUT", null, "accelerate")]
    [InlineData("GET", null, "accelerate")]
    [InlineData("PUT", null, "referer")]
    [InlineData("GET", null, "referer")]
    [InlineData("PUT", null, "domain")]
    [InlineData("GET", null, "domain")]
    [InlineData("DELETE", null, "domain")]
    [InlineData("PUT", null, "domaincertificate")]
    [InlineData("GET", null, "domaincertificate")]
    [InlineData("PUT", null, "origin")]
    [InlineData("GET", null, "origin")]
    [InlineData("DELETE", null, "origin")]
    [InlineData("PUT", null, "intelligenttiering")]
    [InlineData("GET", null, "intelligenttiering")]
    [InlineData("PUT", null, "website")]
    [InlineData("PUT", null, "replication")]
    [InlineData("POST", "k", "append&position=0")]
    [InlineData("POST", "k", "restore")]
    [InlineData("POST", "k", "select&select-type=2")]
    [InlineData("PUT", "k", "rename")]
    public async Task CosOperation_CofferDoesNotHave_AnswersNotImplemented(string method, string? key, string query)
    {
        var response = await Server.SendAsync(Server.Request(new HttpMethod(method), Bucket, key, query));
        await response.ShouldBeErrorAsync(HttpStatusCode.NotImplemented, "NotImplemented");
    }
}
