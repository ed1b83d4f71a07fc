using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Coffer.Model.Accounts;
using Coffer.Testing;

namespace Coffer.Compat.Tests;

/// <summary>
/// A fresh Coffer server per test, driven by the real AWS SDK for .NET with its default checksum behaviour
/// (aws-chunked bodies with trailing CRC32, response checksum validation), and one bucket created through it.
/// </summary>
public abstract class S3TestBase(TimeProvider? time = null) : IAsyncLifetime
{
    protected TestServer Server { get; private set; } = null!;

    protected AmazonS3Client S3 { get; private set; } = null!;

    protected string Bucket { get; } = TestServer.BucketName("compat");

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync(time);
        S3 = ClientFor(TestAccounts.Owner);
        await S3.PutBucketAsync(Bucket);
    }

    public virtual async Task DisposeAsync()
    {
        S3.Dispose();
        await Server.DisposeAsync();
    }

    protected AmazonS3Client ClientFor(Account account, string? secretKey = null, RequestRecorder? recorder = null) =>
        new(new BasicAWSCredentials(account.SecretId, secretKey ?? account.SecretKey), new AmazonS3Config
        {
            ServiceURL = Server.BaseAddress.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = TestServer.Region,
            HttpClientFactory = recorder,
        });

    /// <summary>Deterministic incompressible bytes.</summary>
    protected static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>The ETag S3 gives a single-part object: the quoted hex MD5 of its bytes.</summary>
    protected static string ETagOf(byte[] bytes) => $"\"{Convert.ToHexStringLower(MD5.HashData(bytes))}\"";

    protected Task<PutObjectResponse> PutAsync(string key, byte[] body, string bucket = "") =>
        S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket.Length > 0 ? bucket : Bucket,
            Key = key,
            InputStream = new MemoryStream(body),
        });

    protected async Task<byte[]> ReadAsync(string key, string? versionId = null)
    {
        using var response = await S3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key, VersionId = versionId });
        return await ReadAllAsync(response);
    }

    protected static async Task<byte[]> ReadAllAsync(GetObjectResponse response)
    {
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>Asserts the call fails the way S3 says, with the error code and status the SDK parsed.</summary>
    protected static async Task<AmazonS3Exception> ShouldFailAsync(Func<Task> call, HttpStatusCode status, string code)
    {
        var error = (await call.Should().ThrowAsync<AmazonS3Exception>()).Which;
        error.StatusCode.Should().Be(status, error.Message);
        error.ErrorCode.Should().Be(code, error.Message);
        return error;
    }
}
