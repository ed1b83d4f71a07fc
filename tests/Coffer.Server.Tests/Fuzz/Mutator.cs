using System.Text;
using Coffer.Protocol.Routing;

namespace Coffer.Server.Tests.Fuzz;

/// <summary>
/// Spoils valid requests the ways clients and attackers do: headers (unknown, malformed, control characters, conflicting),
/// query parameters (bad numbers, bad escapes, unknown sub-resources, markers), bodies (cut, flipped, not XML, not UTF-8,
/// deeply nested), keys (control characters, dot segments, too long, invalid UTF-8) and signatures.
/// </summary>
internal sealed class Mutator(Random random)
{
    private static readonly string[] Weird =
    [
        "", " ", "\t", "\u0001", "\u007f", "x\u0001y", "é", "腾讯", "😀", "%", "%zz", "%00", "..", "../x", "&", "=", "?", "#", "<", ">",
        "\"", "'", "-1", "0", "1", "99999999999999999999", "2147483648", "-2147483649", "NaN", "true", "null", "*", "a/b", "//",
        new string('a', 300), new string('z', 2000), "<a>", "]]>", "\ufeff", "\u200b", "\u2028",
    ];

    private static readonly string[] Headers =
    [
        "Content-MD5", "Content-Type", "Content-Encoding", "Content-Disposition", "Cache-Control", "Expires", "Range", "If-Match", "If-None-Match",
        "If-Modified-Since", "If-Unmodified-Since", "Expect", "x-cos-meta-m", "x-amz-meta-m", "x-cos-acl", "x-amz-acl", "x-cos-grant-read",
        "x-cos-storage-class", "x-amz-storage-class", "x-cos-tagging", "x-amz-tagging", "x-cos-copy-source", "x-amz-copy-source",
        "x-cos-copy-source-range", "x-cos-metadata-directive", "x-amz-metadata-directive", "x-amz-tagging-directive",
        "x-cos-server-side-encryption", "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
        "x-amz-server-side-encryption-customer-algorithm", "x-amz-checksum-crc32", "x-amz-checksum-sha256", "x-amz-checksum-algorithm",
        "x-amz-checksum-type", "x-amz-checksum-mode", "x-amz-sdk-checksum-algorithm", "x-amz-trailer", "x-amz-decoded-content-length",
        "x-amz-bucket-object-lock-enabled", "x-cos-security-token", "x-amz-security-token", "x-amz-copy-source-if-match",
        "x-cos-copy-source-If-None-Match", "x-amz-expected-bucket-owner", "x-cos-traffic-limit",
    ];

    private static readonly string[] Parameters =
    [
        "prefix", "delimiter", "marker", "max-keys", "encoding-type", "list-type", "continuation-token", "start-after", "fetch-owner",
        "key-marker", "version-id-marker", "upload-id-marker", "max-uploads", "max-parts", "part-number-marker", "versionId",
        "partNumber", "uploadId", "id", "response-content-type", "response-content-disposition", "response-cache-control",
        "response-expires", "max-runs", "marker", "job-id", "x-id", "torrent", "select", "restore", "lifecycle", "cors", "uploads",
        "versions", "delete", "acl", "tagging", "policy", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Expires", "q-sign-algorithm",
    ];

    private static readonly string[] Bodies =
    [
        "", "<", "<?xml version=\"1.0\"?>", "<Delete/>", "<Delete><Object><Key></Key></Object></Delete>", "<Delete><Quiet>maybe</Quiet></Delete>",
        "<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>",
        "<CompleteMultipartUpload><Part><PartNumber>99999999999</PartNumber><ETag>\"e\"</ETag></Part></CompleteMultipartUpload>",
        "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>a</ETag></Part><Part><PartNumber>1</PartNumber><ETag>b</ETag></Part></CompleteMultipartUpload>",
        "<Tagging><TagSet><Tag><Key>\u00e9</Key><Value>&amp;</Value></Tag></TagSet></Tagging>", "<Tagging><TagSet/></Tagging>",
        "<VersioningConfiguration><Status>Off</Status></VersioningConfiguration>", "<InventoryConfiguration/>",
        "<InventoryConfiguration><Id>../x</Id></InventoryConfiguration>", "{}", "{\"version\":\"2.0\"}", "null", "[]",
        "<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>", "<a xmlns=\"urn:x\"><b/></a>",
        "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>ROT13</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>",
        "<CreateBucketConfiguration><BucketAZConfig>XAZ</BucketAZConfig></CreateBucketConfiguration>",
    ];

    /// <summary>Applies one to three mutations; about one request in eight also has its signature spoiled.</summary>
    public void Mutate(FuzzRequest request)
    {
        var count = random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            switch (random.Next(6))
            {
                case 0:
                    MutateHeaders(request);
                    break;
                case 1:
                    MutateQuery(request);
                    break;
                case 2:
                    MutateBody(request);
                    break;
                case 3:
                    MutateKey(request);
                    break;
                case 4:
                    MutateTarget(request);
                    break;
                default:
                    MutateHeaders(request);
                    MutateQuery(request);
                    break;
            }
        }

        if (random.Next(8) == 0)
        {
            request.Signing = (Signing)random.Next(1, Enum.GetValues<Signing>().Length);
            request.Mutations.Add("signing " + request.Signing);
        }
    }

    private void MutateHeaders(FuzzRequest request)
    {
        switch (random.Next(4))
        {
            case 0 when request.Headers.Count > 0:
                var removed = random.Next(request.Headers.Count);
                request.Mutations.Add("drop header " + request.Headers[removed].Key);
                request.Headers.RemoveAt(removed);
                break;
            case 1:
                var name = Pick(Headers);
                request.Header(name, HeaderValue(name));
                request.Mutations.Add("header " + name);
                break;
            case 2:
                var meta = (request.Dialect == Dialect.S3 ? "x-amz-meta-" : "x-cos-meta-") + Pick("a", "A-b", "x.y", "z_", "long" + new string('n', random.Next(200)));
                request.Header(meta, Text());
                request.Mutations.Add("metadata " + meta);
                break;
            default:
                request.Dialect = request.Dialect == Dialect.S3 ? Dialect.Cos : Dialect.S3;
                request.Mutations.Add("other dialect's headers");
                break;
        }
    }

    private string HeaderValue(string name) => name switch
    {
        "Content-MD5" => Pick("", "AAAA", "not base64!", Convert.ToBase64String(new byte[16]), "1B2M2Y8AsgTpgAmY7PhCfg=="),
        "Range" => Pick("bytes=0-", "bytes=5-1", "bytes=-0", "bytes=99999999999999999999-", "bytes=0-1,3-4", "items=0-1", "bytes=-5"),
        "If-Match" or "If-None-Match" => Pick("*", "\"\"", "W/\"x\"", "\"d41d8cd98f00b204e9800998ecf8427e\"", "a,b,", Text()),
        "If-Modified-Since" or "If-Unmodified-Since" or "Expires" => Pick("Tue, 01 Jan 2030 00:00:00 GMT", "yesterday", "0", Text()),
        "Expect" => "100-continue",
        "x-amz-checksum-crc32" => Pick("AAAAAA==", "not-base64", ""),
        "x-amz-checksum-algorithm" or "x-amz-sdk-checksum-algorithm" => Pick("CRC32", "crc32c", "SHA1", "SHA256", "CRC64NVME", "MD5", ""),
        "x-amz-checksum-type" => Pick("COMPOSITE", "FULL_OBJECT", "none"),
        "x-amz-trailer" => Pick("x-amz-checksum-crc32", "x-amz-nothing", ""),
        "x-amz-decoded-content-length" => Pick("-1", "0", "99999999999"),
        "x-cos-acl" or "x-amz-acl" => Pick("private", "public-read", "public-read-write", "default", "authenticated-read", "bogus"),
        "x-cos-storage-class" or "x-amz-storage-class" => Pick("STANDARD", "ARCHIVE", "GLACIER", "bogus", ""),
        "x-cos-tagging" or "x-amz-tagging" => Pick("a=b", "a=b&a=c", "=x", "%zz=1", new string('k', 200) + "=v", "k=\u0001"),
        _ => Text(),
    };

    private void MutateQuery(FuzzRequest request)
    {
        switch (random.Next(4))
        {
            case 0 when request.Query.Count > 0:
                var index = random.Next(request.Query.Count);
                request.Mutations.Add("query value " + request.Query[index].Key);
                request.Query[index] = new(request.Query[index].Key, Text());
                break;
            case 1:
                var name = Pick(Parameters);
                request.With(name, random.Next(3) == 0 ? "" : Text());
                request.Mutations.Add("query " + name);
                break;
            case 2:
                request.RawQuery = Pick("%", "%zz", "a=%E0%A4", "=", "&&", "%00=1", "x=%C3%28", "prefix=%FF");
                request.Mutations.Add("raw query " + request.RawQuery);
                break;
            default:
                if (request.Query.Count > 0)
                {
                    request.Query.Add(request.Query[0]);
                    request.Mutations.Add("duplicate query " + request.Query[0].Key);
                }

                break;
        }
    }

    private void MutateBody(FuzzRequest request)
    {
        var body = request.Body ?? [];
        switch (random.Next(5))
        {
            case 0 when body.Length > 0:
                request.Body = body[..random.Next(body.Length)];
                request.Mutations.Add("cut body");
                break;
            case 1 when body.Length > 0:
                var flipped = body.ToArray();
                flipped[random.Next(flipped.Length)] ^= (byte)random.Next(1, 256);
                request.Body = flipped;
                request.Mutations.Add("flipped body byte");
                break;
            case 2:
                request.Body = [0xC3, 0x28, .. Encoding.UTF8.GetBytes("<Delete>"), 0xFF, 0xFE];
                request.Mutations.Add("invalid UTF-8 body");
                break;
            case 3:
                var depth = random.Next(1, 400);
                request.Content(string.Concat(Enumerable.Repeat("<a>", depth)) + Text() + string.Concat(Enumerable.Repeat("</a>", depth)));
                request.Mutations.Add("nested body");
                break;
            default:
                request.Content(Pick(Bodies));
                request.Mutations.Add("odd body");
                break;
        }
    }

    private void MutateKey(FuzzRequest request)
    {
        request.Key = random.Next(5) switch
        {
            0 => "ctl" + (char)random.Next(1, 32) + "key" + random.Next(100),
            1 => Pick("../up", "a/./b", "..", ".", "a\\..\\b", "/", "//x", "x/", " ", "\t", "\r\nx", "%2F"),
            2 => new string('k', 1025),
            3 => Pick("é", "腾讯云/文件", "😀", "\ufeffbom", "a\u0000b", "x\u007f", "\ud800lonely"),
            _ => (request.Key ?? "") + Text(),
        };
        request.Mutations.Add("key");
    }

    private void MutateTarget(FuzzRequest request)
    {
        switch (random.Next(3))
        {
            case 0:
                request.Method = Pick("GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS");
                request.Mutations.Add("method " + request.Method);
                break;
            case 1:
                request.Bucket = Pick("nosuch-1250000000", "UPPER-1250000000", "a", "x-1250000001", "", "bad_name-1250000000");
                request.Mutations.Add("bucket " + request.Bucket);
                break;
            default:
                request.Key = request.Key is null ? "k" : null;
                request.Mutations.Add(request.Key is null ? "no key" : "a key");
                break;
        }
    }

    private string Text() => random.Next(4) switch
    {
        0 => Pick(Weird),
        1 => Pick(Weird) + Pick(Weird),
        2 => new string(Enumerable.Range(0, random.Next(1, 12)).Select(_ => (char)random.Next(1, 0x80)).ToArray()),
        _ => new string(Enumerable.Range(0, random.Next(1, 6)).Select(_ => (char)random.Next(0xA0, 0xD7FF)).ToArray()),
    };

    private string Pick(params string[] choices) => choices[random.Next(choices.Length)];
}
