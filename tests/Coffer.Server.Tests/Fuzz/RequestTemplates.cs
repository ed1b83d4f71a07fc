using System.Text;
using Coffer.Protocol.Routing;
using Coffer.Testing;

namespace Coffer.Server.Tests.Fuzz;

/// <summary>
/// A valid request for every operation the server implements, in either dialect, aimed at the buckets, objects and
/// uploads the test set up, for the mutator to spoil.
/// </summary>
internal sealed class RequestTemplates(Random random, FuzzState state)
{
    private delegate FuzzRequest Template(Dialect dialect);

    private Template[]? _templates;

    public FuzzRequest Next()
    {
        _templates ??=
        [
            d => new FuzzRequest("ListBuckets", d, "GET", null, null),
            d => new FuzzRequest("CreateBucket", d, "PUT", state.ScratchBucket, null),
            d => new FuzzRequest("CreateBucket", d, "PUT", state.ScratchBucket, null)
                .Content("<CreateBucketConfiguration><LocationConstraint>ap-guangzhou</LocationConstraint></CreateBucketConfiguration>"),
            d => new FuzzRequest("HeadBucket", d, "HEAD", Bucket(), null),
            d => new FuzzRequest("DeleteBucket", d, "DELETE", state.ScratchBucket, null),
            d => new FuzzRequest("GetBucketLocation", d, "GET", Bucket(), null).With("location"),
            d => new FuzzRequest("GetBucketVersioning", d, "GET", Bucket(), null).With("versioning"),
            d => new FuzzRequest("PutBucketVersioning", d, "PUT", state.VersionedBucket, null).With("versioning")
                .Content("<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"),
            d => new FuzzRequest("PutBucketEncryption", d, "PUT", Bucket(), null).With("encryption").Content(
                "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>" +
                "</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"),
            d => new FuzzRequest("GetBucketEncryption", d, "GET", Bucket(), null).With("encryption"),
            d => new FuzzRequest("DeleteBucketEncryption", d, "DELETE", Bucket(), null).With("encryption"),
            d => new FuzzRequest("ListObjects", d, "GET", Bucket(), null).With("prefix", Pick("", "a", "dir/")).With("max-keys", "5"),
            d => new FuzzRequest("ListObjectsV2", d, "GET", Bucket(), null).With("list-type", "2").With("delimiter", "/"),
            d => new FuzzRequest("ListObjectVersions", d, "GET", Bucket(), null).With("versions").With("key-marker", Key()),
            d => new FuzzRequest("DeleteObjects", d, "POST", Bucket(), null).With("delete")
                .Content($"<Delete><Quiet>false</Quiet><Object><Key>{System.Security.SecurityElement.Escape(state.Throwaway())}</Key></Object></Delete>"),
            d => new FuzzRequest("PutBucketPolicy", d, "PUT", state.ScratchOrMain, null).With("policy").Content(
                $$"""{"version":"2.0","statement":[{"effect":"allow","principal":{"qcs":["qcs::cam::anyone:anyone"]},"action":["name/cos:GetObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:{{state.ScratchOrMain}}/public/*"]}]}"""),
            d => new FuzzRequest("GetBucketPolicy", d, "GET", Bucket(), null).With("policy"),
            d => new FuzzRequest("DeleteBucketPolicy", d, "DELETE", Bucket(), null).With("policy"),
            d => new FuzzRequest("PutBucketAcl", d, "PUT", state.ScratchOrMain, null).With("acl").Header(Wire(d) + "acl", Pick("private", "public-read")),
            d => new FuzzRequest("GetBucketAcl", d, "GET", Bucket(), null).With("acl"),
            d => new FuzzRequest("PutBucketInventory", d, "PUT", Bucket(), null).With("inventory").With("id", "fuzz")
                .Content(InventoryApiTests.Configuration("fuzz").Replace("inventory-1250000000", state.MainBucket)),
            d => new FuzzRequest("GetBucketInventory", d, "GET", Bucket(), null).With("inventory").With("id", "fuzz"),
            d => new FuzzRequest("ListBucketInventory", d, "GET", Bucket(), null).With("inventory"),
            d => new FuzzRequest("DeleteBucketInventory", d, "DELETE", Bucket(), null).With("inventory").With("id", "fuzz"),
            d => new FuzzRequest("PostBucketInventory", d, "POST", Bucket(), null).With("inventory").With("id", "once" + random.Next(1000))
                .Content(InventoryApiTests.OneTime("once").Replace("inventory-1250000000", state.MainBucket)),
            d => new FuzzRequest("ListInventoryRuns", d, "GET", Bucket(), null).With("inventory-runs").With("max-runs", "3"),
            d => new FuzzRequest("GetInventoryRun", d, "GET", Bucket(), null).With("inventory-run").With("job-id", "nosuchjob"),
            d => new FuzzRequest("PutObject", d, "PUT", Bucket(), NewKey()) { Body = Bytes() }.Header("Content-Type", "text/plain")
                .Header(Wire(d) + "meta-fuzz", "value"),
            d => new FuzzRequest("GetObject", d, "GET", Bucket(), Key()),
            d => new FuzzRequest("GetObject", d, "GET", Bucket(), Key()).Header("Range", "bytes=0-3"),
            d => new FuzzRequest("HeadObject", d, "HEAD", Bucket(), Key()),
            d => new FuzzRequest("DeleteObject", d, "DELETE", Bucket(), state.Throwaway()),
            d => new FuzzRequest("CopyObject", d, "PUT", Bucket(), NewKey())
                .Header(Wire(d) + "copy-source", d == Dialect.S3 ? $"/{state.MainBucket}/{state.StableKey}" : $"{TestServer.VirtualHost(state.MainBucket)}/{state.StableKey}"),
            d => new FuzzRequest("GetObjectTagging", d, "GET", Bucket(), Key()).With("tagging"),
            d => new FuzzRequest("PutObjectTagging", d, "PUT", Bucket(), Key()).With("tagging")
                .Content("<Tagging><TagSet><Tag><Key>team</Key><Value>data</Value></Tag></TagSet></Tagging>"),
            d => new FuzzRequest("DeleteObjectTagging", d, "DELETE", Bucket(), Key()).With("tagging"),
            d => new FuzzRequest("CreateMultipartUpload", d, "POST", Bucket(), NewKey()).With("uploads"),
            d => Upload(d, "UploadPart", "PUT", u => new FuzzRequest("UploadPart", d, "PUT", u.Bucket, u.Key) { Body = Bytes() }
                .With("partNumber", random.Next(1, 4).ToString()).With("uploadId", u.UploadId)),
            d => Upload(d, "CompleteMultipartUpload", "POST", u => new FuzzRequest("CompleteMultipartUpload", d, "POST", u.Bucket, u.Key)
                .With("uploadId", u.UploadId).Content($"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"{u.PartETag}\"</ETag></Part></CompleteMultipartUpload>")),
            d => Upload(d, "AbortMultipartUpload", "DELETE", u => new FuzzRequest("AbortMultipartUpload", d, "DELETE", u.Bucket, u.Key).With("uploadId", u.UploadId)),
            d => Upload(d, "ListParts", "GET", u => new FuzzRequest("ListParts", d, "GET", u.Bucket, u.Key).With("uploadId", u.UploadId).With("max-parts", "2")),
            d => new FuzzRequest("ListMultipartUploads", d, "GET", Bucket(), null).With("uploads").With("max-uploads", "10"),
        ];

        return _templates[random.Next(_templates.Length)](random.Next(2) == 0 ? Dialect.Cos : Dialect.S3);
    }

    private static string Wire(Dialect dialect) => dialect == Dialect.S3 ? "x-amz-" : "x-cos-";

    private FuzzRequest Upload(Dialect dialect, string operation, string method, Func<FuzzUpload, FuzzRequest> build) =>
        state.Uploads.Count == 0 ? new FuzzRequest(operation, dialect, method, state.MainBucket, "no-upload").With("uploadId", "0123456789abcdef") : build(state.Uploads[random.Next(state.Uploads.Count)]);

    private string Bucket() => random.Next(3) == 0 ? state.VersionedBucket : state.MainBucket;

    private string Key() => state.Keys.Count == 0 ? state.StableKey : state.Keys[random.Next(state.Keys.Count)];

    private string NewKey() => Pick("a", "dir/", "b/c/", "") + "k" + random.Next(10_000);

    private string Pick(params string[] choices) => choices[random.Next(choices.Length)];

    private byte[] Bytes()
    {
        var bytes = new byte[random.Next(0, 2048)];
        random.NextBytes(bytes);
        return bytes;
    }
}

/// <summary>An upload the test opened, with one part uploaded, for the multipart templates to aim at.</summary>
internal sealed record FuzzUpload(string Bucket, string Key, string UploadId, string PartETag);

/// <summary>What the test knows of the server's content: its buckets, keys that exist, uploads in progress.</summary>
internal sealed class FuzzState(string mainBucket, string versionedBucket, string scratchBucket)
{
    private int _throwaway;

    public string MainBucket { get; } = mainBucket;

    public string VersionedBucket { get; } = versionedBucket;

    /// <summary>A bucket the test lets requests create and delete.</summary>
    public string ScratchBucket { get; } = scratchBucket;

    /// <summary>The scratch bucket or the main one: bucket-wide settings are tried on both.</summary>
    public string ScratchOrMain => _throwaway % 2 == 0 ? ScratchBucket : MainBucket;

    /// <summary>A key no request overwrites or deletes: the source of copies.</summary>
    public string StableKey { get; } = "stable/source.txt";

    public List<string> Keys { get; } = [];

    public List<FuzzUpload> Uploads { get; } = [];

    /// <summary>A key deletes are aimed at: written by nothing the test checks.</summary>
    public string Throwaway() => "throwaway/" + Encoding.ASCII.GetString([(byte)('a' + (_throwaway++ % 26))]);
}
