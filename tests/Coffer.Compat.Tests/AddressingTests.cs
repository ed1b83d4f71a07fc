using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Coffer.Testing;

namespace Coffer.Compat.Tests;

public sealed class AddressingTests : S3TestBase
{
    [Fact]
    public async Task VirtualHostStyle_CreatesPutsGetsListsAndDeletes_WithTheBucketInTheAwsHostName()
    {
        var port = Server.BaseAddress.Port;
        // Every name the SDK builds connects to our loopback address, as DNS would send the AWS domain to S3.
        var recorder = new RequestRecorder(() => new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(Server.BaseAddress.Host, port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        });
        using var s3 = new AmazonS3Client(new BasicAWSCredentials(TestAccounts.Owner.SecretId, TestAccounts.Owner.SecretKey), new AmazonS3Config
        {
            ServiceURL = $"http://s3.{TestServer.Region}.amazonaws.com:{port}",
            ForcePathStyle = false,
            AuthenticationRegion = TestServer.Region,
            HttpClientFactory = recorder,
        });
        var bucket = TestServer.BucketName("vhost");
        var body = RandomBytes(5000, seed: 30);

        await s3.PutBucketAsync(bucket);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "dir/a b+c.bin", InputStream = new MemoryStream(body) });
        using (var get = await s3.GetObjectAsync(bucket, "dir/a b+c.bin"))
        {
            (await ReadAllAsync(get)).Should().Equal(body);
        }

        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "dir/" });
        await s3.DeleteObjectAsync(bucket, "dir/a b+c.bin");
        await s3.DeleteBucketAsync(bucket);

        listed.S3Objects.Select(o => (o.Key, o.Size)).Should().Equal(("dir/a b+c.bin", 5000L));
        recorder.Requests.Should().HaveCount(6).And.OnlyContain(r =>
            r.Uri.Authority == $"{bucket}.s3.{TestServer.Region}.amazonaws.com:{port}" && !r.Uri.AbsolutePath.Contains(bucket));
        (await S3.ListBucketsAsync()).Buckets.Select(b => b.BucketName).Should().Equal(Bucket);
    }
}
