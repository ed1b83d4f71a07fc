using Coffer.Common;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;

namespace Coffer.Protocol.Tests;

/// <summary>Rows taken from the request examples of the COS and AWS S3 API references.</summary>
public class RouterTests
{
    private const string VirtualHost = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";
    private static readonly Router Router = new(new HostResolver(HostResolver.DefaultSuffixes));

    public static TheoryData<string, string, string, Operation, string?, string?> DocumentedExamples => new()
    {
        { "GET", "service.cos.myqcloud.com", "/", Operation.ListBuckets, null, null },
        { "POST", "100000000001.s3-control.us-east-1.amazonaws.com", "/v20180820/jobs", Operation.CreateJob, null, null },
        { "GET", "127.0.0.1:9000", "/v20180820/jobs/0b6f7a9e?x", Operation.DescribeJob, null, null },
        { "POST", "127.0.0.1:9000", "/v20180820/jobs/0b6f7a9e/status?requestedJobStatus=Ready", Operation.UpdateJobStatus, null, null },
        { "GET", "100000000001.cos-control.ap-guangzhou.myqcloud.com", "/jobs?jobStatuses=Active", Operation.ListJobs, null, null },
        { "POST", "127.0.0.1:9000", "/jobs/0b6f7a9e/priority?priority=3", Operation.UpdateJobPriority, null, null },
        { "PUT", "100000000001.cos-control.ap-guangzhou.myqcloud.com", "/jobs/0b6f7a9e/tagging", Operation.PutJobTagging, null, null },
        { "GET", VirtualHost, "/v20180820/jobs", Operation.GetObject, "examplebucket-1250000000", "v20180820/jobs" },
        { "GET", VirtualHost, "/jobs", Operation.GetObject, "examplebucket-1250000000", "jobs" },
        { "GET", "cos.ap-beijing.myqcloud.com", "/", Operation.ListBuckets, null, null },
        { "PUT", VirtualHost, "/", Operation.CreateBucket, "examplebucket-1250000000", null },
        { "HEAD", VirtualHost, "/", Operation.HeadBucket, "examplebucket-1250000000", null },
        { "DELETE", VirtualHost, "/", Operation.DeleteBucket, "examplebucket-1250000000", null },
        { "GET", VirtualHost, "/?prefix=a&delimiter=%2F&max-keys=10&encoding-type=url", Operation.ListObjects, "examplebucket-1250000000", null },
        { "GET", VirtualHost, "/?list-type=2&continuation-token=x", Operation.ListObjectsV2, "examplebucket-1250000000", null },
        { "GET", VirtualHost, "/?versions&prefix=a", Operation.ListObjectVersions, "examplebucket-1250000000", null },
        { "GET", VirtualHost, "/?uploads", Operation.ListMultipartUploads, "examplebucket-1250000000", null },
        { "POST", VirtualHost, "/?delete", Operation.DeleteObjects, "examplebucket-1250000000", null },
        { "POST", VirtualHost, "/", Operation.PostObject, "examplebucket-1250000000", null },
        { "PUT", VirtualHost, "/?versioning", Operation.PutBucketVersioning, "examplebucket-1250000000", null },
        { "GET", VirtualHost, "/?acl", Operation.GetBucketAcl, "examplebucket-1250000000", null },
        { "PUT", VirtualHost, "/?policy", Operation.PutBucketPolicy, "examplebucket-1250000000", null },
        { "PUT", VirtualHost, "/?encryption", Operation.PutBucketEncryption, "examplebucket-1250000000", null },
        { "GET", VirtualHost, "/?encryption", Operation.GetBucketEncryption, "examplebucket-1250000000", null },
        { "DELETE", VirtualHost, "/?encryption", Operation.DeleteBucketEncryption, "examplebucket-1250000000", null },
        { "GET", "127.0.0.1:9000", "/examplebucket-1250000000?encryption", Operation.GetBucketEncryption, "examplebucket-1250000000", null },
        { "PUT", VirtualHost, "/../x", Operation.PutObject, "examplebucket-1250000000", "../x" },
        { "PUT", VirtualHost, "/a/%2E%2E/b", Operation.PutObject, "examplebucket-1250000000", "a/../b" },
        { "PUT", "127.0.0.1:9000", "/examplebucket-1250000000/../x", Operation.PutObject, "examplebucket-1250000000", "../x" },
        { "PUT", VirtualHost, "/?inventory&id=list1", Operation.PutBucketInventoryConfiguration, "examplebucket-1250000000", null },
        { "PUT", VirtualHost, "/?inventory=&id=list1", Operation.PutBucketInventoryConfiguration, "examplebucket-1250000000", null },
        { "GET", VirtualHost, "/?inventory&id=list1", Operation.GetBucketInventoryConfiguration, "examplebucket-1250000000", null },
        { "GET", VirtualHost, "/?inventory", Operation.ListBucketInventoryConfigurations, "examplebucket-1250000000", null },
        { "GET", VirtualHost, "/?inventory=&continuation-token=", Operation.ListBucketInventoryConfigurations, "examplebucket-1250000000", null },
        { "DELETE", VirtualHost, "/?inventory&id=list1", Operation.DeleteBucketInventoryConfiguration, "examplebucket-1250000000", null },
        { "POST", VirtualHost, "/?inventory&id=list1", Operation.PostBucketInventory, "examplebucket-1250000000", null },
        { "POST", VirtualHost, "/?inventory-run&id=list1", Operation.RunBucketInventory, "examplebucket-1250000000", null },
        { "GET", VirtualHost, "/?inventory-summary&job-id=j1", Operation.GetBucketInventorySummary, "examplebucket-1250000000", null },
        { "PUT", VirtualHost, "/exampleobject", Operation.PutObject, "examplebucket-1250000000", "exampleobject" },
        { "GET", VirtualHost, "/exampleobject", Operation.GetObject, "examplebucket-1250000000", "exampleobject" },
        { "GET", VirtualHost, "/exampleobject?versionId=MTg0NDUx&response-content-type=text%2Fplain", Operation.GetObject, "examplebucket-1250000000", "exampleobject" },
        { "HEAD", VirtualHost, "/exampleobject", Operation.HeadObject, "examplebucket-1250000000", "exampleobject" },
        { "DELETE", VirtualHost, "/exampleobject", Operation.DeleteObject, "examplebucket-1250000000", "exampleobject" },
        { "PUT", VirtualHost, "/exampleobject?tagging", Operation.PutObjectTagging, "examplebucket-1250000000", "exampleobject" },
        { "POST", VirtualHost, "/exampleobject?uploads", Operation.CreateMultipartUpload, "examplebucket-1250000000", "exampleobject" },
        { "PUT", VirtualHost, "/exampleobject?partNumber=1&uploadId=1585130821cbb", Operation.UploadPart, "examplebucket-1250000000", "exampleobject" },
        { "POST", VirtualHost, "/exampleobject?uploadId=1585130821cbb", Operation.CompleteMultipartUpload, "examplebucket-1250000000", "exampleobject" },
        { "GET", VirtualHost, "/exampleobject?uploadId=1585130821cbb", Operation.ListParts, "examplebucket-1250000000", "exampleobject" },
        { "DELETE", VirtualHost, "/exampleobject?uploadId=1585130821cbb", Operation.AbortMultipartUpload, "examplebucket-1250000000", "exampleobject" },
        { "POST", VirtualHost, "/exampleobject?restore", Operation.RestoreObject, "examplebucket-1250000000", "exampleobject" },
        { "GET", VirtualHost, "/dir/a%20b%2Bc%25.txt", Operation.GetObject, "examplebucket-1250000000", "dir/a b+c%.txt" },
        { "GET", VirtualHost, "/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)", Operation.GetObject, "examplebucket-1250000000", "exampleobject(腾讯云)" },
        { "GET", "127.0.0.1:9000", "/examplebucket-1250000000/dir/key.txt", Operation.GetObject, "examplebucket-1250000000", "dir/key.txt" },
        { "GET", "127.0.0.1:9000", "/examplebucket-1250000000", Operation.ListObjects, "examplebucket-1250000000", null },
        { "GET", "127.0.0.1:9000", "/examplebucket-1250000000/", Operation.ListObjects, "examplebucket-1250000000", null },
        { "GET", "127.0.0.1:9000", "/", Operation.ListBuckets, null, null },
        { "GET", "examplebucket-1250000000.cos.ap-guangzhou.tencentcos.cn", "/exampleobject", Operation.GetObject, "examplebucket-1250000000", "exampleobject" },
        { "GET", "examplebucket-1250000000.cos-internal.ap-guangzhou.tencentcos.cn", "/", Operation.ListObjects, "examplebucket-1250000000", null },
        { "GET", "bucket.s3.us-east-1.amazonaws.com", "/photos/cat.jpg", Operation.GetObject, "bucket", "photos/cat.jpg" },
        { "GET", "s3.amazonaws.com", "/bucket/photos/cat.jpg", Operation.GetObject, "bucket", "photos/cat.jpg" },
        { "GET", "bucket.localhost:9000", "/k", Operation.GetObject, "bucket", "k" },
    };

    [Theory]
    [MemberData(nameof(DocumentedExamples))]
    public void Resolve_NamesTheOperation_ForDocumentedExamples(string method, string host, string target, Operation operation, string? bucket, string? key)
    {
        var route = Route(method, host, target);
        route.Operation.Should().Be(operation);
        route.Bucket.Should().Be(bucket);
        route.Key.Should().Be(key);
    }

    [Fact]
    public void Resolve_ReadsTheJobAccountAndRegion_OfControlRoutes()
    {
        var s3 = Route("DELETE", "100000000001.s3-control.eu-west-1.amazonaws.com", "/v20180820/jobs/job-1/tagging");
        (s3.Operation, s3.JobId, s3.ControlAccount, s3.HostRegion).Should().Be((Operation.DeleteJobTagging, "job-1", "100000000001", "eu-west-1"));
        var cos = Route("GET", "127.0.0.1:9000", "/jobs/job-2");
        (cos.Operation, cos.JobId, cos.ControlAccount).Should().Be((Operation.DescribeJob, "job-2", (string?)null));
        var wrongMethod = () => Route("PUT", "127.0.0.1:9000", "/v20180820/jobs/job-3/status");
        wrongMethod.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.MethodNotAllowed);
    }

    [Fact]
    public void Resolve_ReadsRegion_FromVirtualHost()
    {
        Route("GET", "examplebucket-1250000000.cos.ap-beijing.myqcloud.com:80", "/").HostRegion.Should().Be("ap-beijing");
        Route("GET", "127.0.0.1:9000", "/b-1/").HostRegion.Should().BeNull();
    }

    [Fact]
    public void Resolve_RecognisesTheConfiguredSuffixes_AndOnlyThose()
    {
        var router = new Router(new HostResolver(["objects.example.test", "s3.{region}.storage.example"]));
        var plain = Resolve(router, "GET", "photos-1250000000.objects.example.test:8080", "/cat.jpg");
        (plain.Bucket, plain.Key, plain.VirtualHosted).Should().Be(("photos-1250000000", "cat.jpg", true));
        var regional = Resolve(router, "PUT", "photos-1250000000.s3.eu-west-1.storage.example", "/");
        (regional.Operation, regional.Bucket, regional.HostRegion).Should().Be((Operation.CreateBucket, "photos-1250000000", "eu-west-1"));

        // A default suffix that was not configured is no virtual host: the bucket comes from the path.
        var unconfigured = Resolve(router, "GET", VirtualHost, "/other-1250000000/k");
        (unconfigured.Bucket, unconfigured.Key, unconfigured.VirtualHosted).Should().Be(("other-1250000000", "k", false));
    }

    [Fact]
    public void Resolve_TakesTheLongestConfiguredSuffix_WhateverTheOrderTheyAreListedIn()
    {
        var router = new Router(new HostResolver(["example.test", "objects.example.test", "s3.{region}.example.test"]));
        var nested = Resolve(router, "GET", "photos-1250000000.objects.example.test", "/cat.jpg");
        (nested.Bucket, nested.Key, nested.VirtualHosted).Should().Be(("photos-1250000000", "cat.jpg", true));
        var regional = Resolve(router, "GET", "photos-1250000000.s3.eu-west-1.example.test", "/cat.jpg");
        (regional.Bucket, regional.HostRegion).Should().Be(("photos-1250000000", "eu-west-1"));
        var outer = Resolve(router, "GET", "photos-1250000000.example.test", "/cat.jpg");
        (outer.Bucket, outer.VirtualHosted).Should().Be(("photos-1250000000", true));

        // The nested suffix itself is path style, not a bucket named "objects".
        var pathStyle = Resolve(router, "GET", "objects.example.test", "/photos-1250000000/cat.jpg");
        (pathStyle.Bucket, pathStyle.Key, pathStyle.VirtualHosted).Should().Be(("photos-1250000000", "cat.jpg", false));
    }

    [Fact]
    public void Resolve_ChoosesCopy_WhenCopySourceHeaderIsPresent()
    {
        var route = Resolve("PUT", "/dest", ("x-cos-copy-source", "src-1250000000.cos.ap-guangzhou.myqcloud.com/a"));
        route.Operation.Should().Be(Operation.CopyObject);
    }

    [Theory]
    [InlineData("q-sign-algorithm=sha1&q-ak=x", "x-amz-copy-source")]
    [InlineData("AWS4-HMAC-SHA256 Credential=x", "x-cos-copy-source")]
    public void Resolve_ThrowsInvalidArgument_ForTheOtherDialectsCopySource(string authorization, string copySourceHeader)
    {
        var act = () => Resolve("PUT", "/dest", ("Authorization", authorization), (copySourceHeader, "src-1250000000/a"));
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidArgument);
    }

    [Fact]
    public void Resolve_ChoosesCopy_ForAnS3RequestWithXAmzCopySource()
    {
        var route = Resolve("PUT", "/dest", ("Authorization", "AWS4-HMAC-SHA256 Credential=x"), ("x-amz-copy-source", "src-1250000000/a"));
        route.Operation.Should().Be(Operation.CopyObject);
    }

    [Theory]
    [InlineData("PUT", "/k?tagging", "x-cos-server-side-encryption-customer-algorithm")]
    [InlineData("DELETE", "/k", "x-cos-server-side-encryption-customer-key")]
    [InlineData("GET", "/k?acl", "x-amz-server-side-encryption-customer-algorithm")]
    [InlineData("POST", "/k?restore", "x-amz-server-side-encryption-customer-key")]
    [InlineData("PUT", "/k", "x-amz-copy-source-server-side-encryption-customer-algorithm")]
    [InlineData("GET", "/k", "x-cos-copy-source-server-side-encryption-customer-key")]
    [InlineData("PUT", "/k?partNumber=1&uploadId=u", "x-amz-copy-source-server-side-encryption-customer-key")]
    [InlineData("PUT", "/k?tagging", "x-amz-server-side-encryption-customer-key-MD5")]
    [InlineData("PUT", "/k", "x-cos-copy-source-server-side-encryption-customer-key-MD5")]
    [InlineData("PUT", "/k?tagging", "x-amz-server-side-encryption-customer-key", "q-sign-algorithm=sha1&q-ak=x")]
    [InlineData("GET", "/k?acl", "x-cos-server-side-encryption-customer-algorithm", "AWS4-HMAC-SHA256 Credential=x")]
    public void Resolve_ThrowsNotImplemented_ForCustomerProvidedKeys_WhereTheyAreNotImplemented(string method, string target, string header,
        string authorization = "")
    {
        // Either dialect's header, on a request of either dialect.
        (string, string)[] headers = authorization.Length > 0 ? [(header, "AES256"), ("Authorization", authorization)] : [(header, "AES256")];
        var act = () => Resolve(method, target, headers);
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.NotImplemented);
    }

    [Theory]
    [InlineData("PUT", "/k", "x-cos-server-side-encryption-customer-algorithm", Operation.PutObject)]
    [InlineData("GET", "/k", "x-cos-server-side-encryption-customer-key", Operation.GetObject)]
    [InlineData("HEAD", "/k", "x-amz-server-side-encryption-customer-algorithm", Operation.HeadObject)]
    [InlineData("POST", "/k?uploads", "x-amz-server-side-encryption-customer-algorithm", Operation.CreateMultipartUpload)]
    [InlineData("PUT", "/k?partNumber=1&uploadId=u", "x-amz-server-side-encryption-customer-key", Operation.UploadPart)]
    [InlineData("POST", "/k?uploadId=u", "x-cos-server-side-encryption-customer-key", Operation.CompleteMultipartUpload)]
    [InlineData("GET", "/k?uploadId=u", "x-cos-server-side-encryption-customer-key", Operation.ListParts)]
    [InlineData("GET", "/k?attributes", "x-amz-server-side-encryption-customer-key-MD5", Operation.GetObjectAttributes)]
    public void Resolve_RoutesCustomerProvidedKeys_ToTheOperationsThatTakeThem(string method, string target, string header, Operation expected)
    {
        // Each row signed in its header's own dialect, so that the x-cos- rows are routed as COS routes them.
        var dialect = header.StartsWith("x-cos-", StringComparison.Ordinal) ? Dialect.Cos : Dialect.S3;
        var route = Resolve(method, target, ("Authorization", dialect == Dialect.Cos ? "q-sign-algorithm=sha1&q-ak=x" : "AWS4-HMAC-SHA256 Credential=x"),
            (header, "AES256"));
        (route.Operation, route.Dialect).Should().Be((expected, dialect));
    }

    [Theory]
    [InlineData("GET", "/?foo")]
    [InlineData("GET", "/?inventory-runs-unknown=")]
    [InlineData("GET", "/object?torrent")]
    [InlineData("PUT", "/?unknownthing")]
    public void Resolve_ThrowsNotImplemented_ForUnknownSubResources(string method, string target)
    {
        var act = () => Route(method, VirtualHost, target);
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.NotImplemented);
    }

    [Theory]
    [InlineData("GET", "/?policyStatus", "policyStatus", "")]
    [InlineData("PUT", "/?policyStatus", "policyStatus", "")]
    [InlineData("DELETE", "/?policyStatus", "policyStatus", "")]
    [InlineData("GET", "/?notification", "notification", NotificationHint)]
    [InlineData("PUT", "/?notification", "notification", NotificationHint)]
    [InlineData("DELETE", "/?notification", "notification", NotificationHint)]
    [InlineData("GET", "/k?attributes", "attributes", "")]
    [InlineData("HEAD", "/k?attributes", "attributes", "")]
    [InlineData("GET", "/?requestPayment", "requestPayment", "")]
    [InlineData("PUT", "/?requestPayment", "requestPayment", "")]
    [InlineData("DELETE", "/?requestPayment", "requestPayment", "")]
    public void Resolve_AnswersS3OnlySubResourcesInTheCosDialect_AsUnknownSubResources_WhateverTheMethod(string method, string target, string name,
        string hint)
    {
        var act = () => Route(method, VirtualHost, target);
        var error = act.Should().Throw<CofferException>().Which;
        error.Code.Should().Be(ErrorCode.NotImplemented);
        error.Message.Should().Be($"The sub-resource '{name}' is not implemented." + (hint.Length > 0 ? " " + hint : ""));
    }

    private const string NotificationHint =
        "COS has no bucket notification API; set the configuration in the S3 dialect (the events cover changes made in either).";

    [Theory]
    [InlineData("GET", "/?policyStatus", Operation.GetBucketPolicyStatus)]
    [InlineData("GET", "/?notification", Operation.GetBucketNotification)]
    [InlineData("PUT", "/?notification", Operation.PutBucketNotification)]
    [InlineData("GET", "/k?attributes", Operation.GetObjectAttributes)]
    [InlineData("GET", "/?requestPayment", Operation.GetBucketRequestPayment)]
    [InlineData("PUT", "/?requestPayment", Operation.PutBucketRequestPayment)]
    public void Resolve_RoutesS3OnlySubResources_InTheS3Dialect(string method, string target, Operation expected)
    {
        S3Route(method, target).Operation.Should().Be(expected);
        var wrongMethod = () => S3Route("DELETE", target);
        wrongMethod.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.MethodNotAllowed);
    }

    [Theory]
    [InlineData("PATCH", "/object")]
    [InlineData("POST", "/object")]
    [InlineData("PUT", "/?versions")]
    public void Resolve_ThrowsMethodNotAllowed_ForKnownResourceWithWrongMethod(string method, string target)
    {
        var act = () => Route(method, VirtualHost, target);
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.MethodNotAllowed);
    }

    [Fact]
    public void Resolve_IgnoresValuedUnknownParameters()
    {
        Route("GET", VirtualHost, "/object?x-cos-traffic-limit=819200").Operation.Should().Be(Operation.GetObject);
    }

    [Theory]
    [InlineData("/object?sign=", Operation.GetObject)]
    [InlineData("/?sign=", Operation.ListObjects)]
    public void Resolve_TakesAnEmptySignParameter_AsASignatureParameter_NotASubResource(string target, Operation expected)
    {
        // The authenticator answers for a sign it cannot read; the router must not call it an unknown sub-resource.
        Route("GET", VirtualHost, target).Operation.Should().Be(expected);
    }

    [Fact]
    public void Resolve_ThrowsInvalidUri_ForMalformedEscapes()
    {
        var act = () => Route("GET", VirtualHost, "/a%zz");
        act.Should().Throw<CofferException>().Which.Code.Should().Be(ErrorCode.InvalidUri);
    }

    [Theory]
    [InlineData("/", "q-sign-algorithm=sha1&q-ak=x", "", Dialect.Cos)]
    [InlineData("/", "q-sign-algorithm=sha1&q-ak=x", "x-amz-meta-color", Dialect.Cos)]
    [InlineData("/", "AWS4-HMAC-SHA256 Credential=x", "", Dialect.S3)]
    [InlineData("/", "AWS4-HMAC-SHA256 Credential=x", "x-cos-meta-color", Dialect.S3)]
    [InlineData("/", "AWS AKIDEXAMPLE:c2lnbmF0dXJl", "", Dialect.S3)]
    [InlineData("/k?X-Amz-Algorithm=AWS4-HMAC-SHA256", "", "", Dialect.S3)]
    [InlineData("/k?AWSAccessKeyId=AKIDEXAMPLE", "", "", Dialect.S3)]
    [InlineData("/k?q-sign-algorithm=sha1", "", "x-amz-meta-color", Dialect.Cos)]
    [InlineData("/k?q-signature=abc", "", "x-amz-meta-color", Dialect.Cos)]
    [InlineData("/k?sign=q-sign-algorithm%3Dsha1", "", "x-amz-date", Dialect.Cos)]
    public void DialectOf_ASignedRequest_IsItsSignaturesDialect_WhateverItsHeaders(string target, string authorization, string headerNames,
        Dialect expected)
    {
        var headers = headerNames.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(name => (name, "v"))
            .Concat(authorization.Length > 0 ? [("Authorization", authorization)] : []).ToArray();
        Resolve(Router, "GET", VirtualHost, target, headers).Dialect.Should().Be(expected);
    }

    [Theory]
    [InlineData("", Dialect.Cos)]
    [InlineData("Content-Type", Dialect.Cos)]
    [InlineData("x-amz-meta-color", Dialect.S3)]
    [InlineData("X-Amz-Expected-Bucket-Owner", Dialect.S3)]
    [InlineData("x-amz-date x-amz-content-sha256", Dialect.S3)]
    [InlineData("x-cos-meta-color", Dialect.Cos)]
    [InlineData("x-amz-meta-color X-Cos-Meta-Color", Dialect.Cos)]
    [InlineData("x-amz-content-sha256 x-cos-meta-color", Dialect.S3)]
    [InlineData("X-Amz-Cf-Id", Dialect.Cos)]
    [InlineData("X-Amz-Cf-Id x-amz-meta-color", Dialect.S3)]
    public void DialectOf_AnUnsignedRequest_IsS3_WhenItCarriesS3HeadersAndNoCosOnes(string headerNames, Dialect expected)
    {
        // An anonymous S3 client's metadata, ACL or expected owner are S3 words: read in the COS dialect they were dropped.
        // SigV4's own headers are S3 whatever else comes (an aws-chunked body only S3's reading decodes); CloudFront's
        // request id is not the client's word.
        var headers = headerNames.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(name => (name, "v")).ToArray();
        Resolve(Router, "PUT", VirtualHost, "/k", headers).Dialect.Should().Be(expected);
    }

    [Theory]
    [InlineData("x-cos-meta-color", Dialect.Cos)]
    [InlineData("x-amz-meta-color", Dialect.S3)]
    public void DialectOf_AnEmptyAuthorization_IsAnUnsignedRequest(string headerName, Dialect expected)
    {
        // Both authenticators take an empty Authorization for an anonymous request; the dialect reads it the same way.
        Resolve(Router, "GET", VirtualHost, "/k", ("Authorization", ""), (headerName, "v")).Dialect.Should().Be(expected);
    }

    private static Route Route(string method, string host, string target) => Resolve(Router, method, host, target);

    private static Route S3Route(string method, string target) => Resolve(method, target, ("Authorization", "AWS4-HMAC-SHA256 Credential=x"));

    private static Route Resolve(string method, string target, params (string Name, string Value)[] headers) =>
        Resolve(Router, method, VirtualHost, target, headers);

    // As the pipeline routes a request: its dialect from its signature and headers first, then the route in that dialect.
    private static Route Resolve(Router router, string method, string host, string target, params (string Name, string Value)[] headers)
    {
        var parsed = RequestTarget.Parse(target);
        string? Header(string name) => headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();
        return router.Resolve(method, host, parsed, Router.DialectOf(parsed, Header, headers.Select(h => h.Name)), Header);
    }
}
