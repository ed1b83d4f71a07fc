using System.Text.RegularExpressions;
using Coffer.Common;
using Coffer.Protocol.Http;

namespace Coffer.Protocol.Routing;

/// <summary>
/// The batch job (control-plane) routes, which name no bucket: S3 Control's <c>/v20180820/jobs[/&lt;id&gt;[/priority|/status|/tagging]]</c>
/// on <c>&lt;account&gt;.s3-control.&lt;region&gt;.amazonaws.com</c> or path-style on the server's own address, and COS batch
/// processing's <c>/jobs[/&lt;id&gt;…]</c> on <c>&lt;uin&gt;.cos-control.&lt;region&gt;.myqcloud.com</c> or on the server's own
/// address. Neither path can be a bucket's: every bucket name ends in <c>-&lt;APPID&gt;</c>.
/// </summary>
public static partial class BatchRoutes
{
    private const string S3Prefix = "/v20180820/jobs";
    private const string CosPrefix = "/jobs";

    /// <summary>The route of a control-plane request, or null when the request is not one.</summary>
    public static Route? Resolve(string method, string? host, RequestTarget target, Dialect dialect)
    {
        var name = HostResolver.StripPort(host ?? "").ToLowerInvariant();
        var s3Host = S3ControlHost().Match(name);
        var cosHost = CosControlHost().Match(name);
        string rest;
        if (IsUnder(target.Path, S3Prefix))
        {
            rest = target.Path[S3Prefix.Length..];
        }
        else if (IsUnder(target.Path, CosPrefix) && (cosHost.Success || !name.Contains('.', StringComparison.Ordinal) || IsAddress(name)))
        {
            rest = target.Path[CosPrefix.Length..];
        }
        else
        {
            return null;
        }

        var control = s3Host.Success ? s3Host : cosHost.Success ? cosHost : null;
        var segments = rest.Trim('/').Length == 0 ? [] : rest.Trim('/').Split('/');
        var operation = (method, segments.Length, segments.Length == 2 ? segments[1] : null) switch
        {
            ("POST", 0, _) => Operation.CreateJob,
            ("GET", 0, _) => Operation.ListJobs,
            ("GET", 1, _) => Operation.DescribeJob,
            ("POST", 2, "priority") => Operation.UpdateJobPriority,
            ("POST", 2, "status") => Operation.UpdateJobStatus,
            ("GET", 2, "tagging") => Operation.GetJobTagging,
            ("PUT", 2, "tagging") => Operation.PutJobTagging,
            ("DELETE", 2, "tagging") => Operation.DeleteJobTagging,
            (_, 0 or 1, _) or (_, 2, "priority" or "status" or "tagging") =>
                throw new CofferException(ErrorCode.MethodNotAllowed, $"The method {method} is not allowed against this resource."),
            _ => throw new CofferException(ErrorCode.NotImplemented, "A header or query you provided implies functionality that is not implemented."),
        };
        return new Route(operation, dialect, null, null, control?.Groups["region"].Value, control is not null,
            segments.Length > 0 ? segments[0] : null, control?.Groups["account"].Value);
    }

    private static bool IsUnder(string path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '/');

    private static bool IsAddress(string name) => System.Net.IPAddress.TryParse(name.Trim('[', ']'), out _);

    [GeneratedRegex("^(?<account>[0-9]+)\\.s3-control\\.(?<region>[a-z0-9-]+)\\.amazonaws\\.com$", RegexOptions.CultureInvariant)]
    private static partial Regex S3ControlHost();

    [GeneratedRegex("^(?<account>[0-9]+)\\.cos-control\\.(?<region>[a-z0-9-]+)\\.myqcloud\\.com$", RegexOptions.CultureInvariant)]
    private static partial Regex CosControlHost();
}
