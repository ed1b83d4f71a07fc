using BenchmarkDotNet.Attributes;
using Coffer.Protocol.Auth;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;

namespace Coffer.Benchmarks;

/// <summary>Per-request protocol work: parsing the target, routing, verifying a COS signature.</summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private const string Host = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";
    private const string SecretKey = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz";
    private readonly Router _router = new(new HostResolver(HostResolver.DefaultSuffixes));
    private RequestTarget _target = null!;
    private CosAuthorization _authorization = null!;

    [GlobalSetup]
    public void Setup()
    {
        _target = RequestTarget.Parse("/photos/2024/cat%20picture.jpg?versionId=MTg0NDUx");
        var keyTime = "1557989151;1557996351";
        var parameters = new KeyValuePair<string, string>[] { new("versionId", "MTg0NDUx") };
        var headers = new KeyValuePair<string, string>[] { new("host", Host), new("content-length", "0") };
        var signature = CosSignature.Sign(SecretKey, keyTime, keyTime, CosSignature.HttpString("GET", _target.Path, parameters, headers));
        _authorization = CosAuthorization.From(
            $"q-sign-algorithm=sha1&q-ak=AKID&q-sign-time={keyTime}&q-key-time={keyTime}&q-header-list=content-length;host" +
            $"&q-url-param-list=versionid&q-signature={signature}", _target)!;
    }

    [Benchmark]
    public Route ParseAndRoute()
    {
        var target = RequestTarget.Parse("/photos/2024/cat%20picture.jpg?versionId=MTg0NDUx");
        return _router.Resolve("GET", Host, target, Router.DialectOf(target, _ => null, []), _ => null);
    }

    [Benchmark]
    public bool VerifyCosSignature() =>
        CosSignatureVerifier.Verify(_authorization, "GET", _target, n => n == "host" ? Host : "0", SecretKey);
}
