using System.CommandLine;
using Coffer.Common;

namespace Coffer.Cli;

/// <summary>How results are printed.</summary>
public enum OutputFormat
{
    Table,
    Json,
}

/// <summary>
/// What every client command reads: the endpoint and the key (flags, else <c>COFFER_ENDPOINT</c>,
/// <c>COFFER_SECRET_ID</c>, <c>COFFER_SECRET_KEY</c>), and the output format.
/// </summary>
internal sealed class ClientSettings
{
    public const string EndpointVariable = "COFFER_ENDPOINT";
    public const string SecretIdVariable = "COFFER_SECRET_ID";
    public const string SecretKeyVariable = "COFFER_SECRET_KEY";
    public const string DefaultEndpoint = "http://127.0.0.1:9000";

    public readonly Option<string?> Endpoint = new("--endpoint") { Description = $"The server's API address. Default ${EndpointVariable}, else {DefaultEndpoint}." };
    public readonly Option<string?> SecretId = new("--secret-id") { Description = $"SecretId of the key that signs requests. Default ${SecretIdVariable}." };
    public readonly Option<string?> SecretKey = new("--secret-key") { Description = $"Its SecretKey. Default ${SecretKeyVariable}." };
    public readonly Option<OutputFormat> Output = new("--output", "-o") { Description = "table (default) or json.", DefaultValueFactory = _ => OutputFormat.Table };
    public readonly Option<int> Timeout = new("--timeout") { Description = "Seconds to wait for each answer of the server (default 60).", DefaultValueFactory = _ => 60 };

    public IEnumerable<Option> All => [Endpoint, SecretId, SecretKey, Output, Timeout];

    public ClientOptions Read(ParseResult parse)
    {
        var endpointText = parse.GetValue(Endpoint) ?? Environment.GetEnvironmentVariable(EndpointVariable) ?? DefaultEndpoint;
        if (!endpointText.Contains("://", StringComparison.Ordinal))
        {
            endpointText = "http://" + endpointText;
        }

        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            throw CliException.Usage($"--endpoint must be an http(s) address such as {DefaultEndpoint}, got '{endpointText}'");
        }

        var secretId = parse.GetValue(SecretId) ?? Environment.GetEnvironmentVariable(SecretIdVariable);
        var secretKey = parse.GetValue(SecretKey) ?? Environment.GetEnvironmentVariable(SecretKeyVariable);
        if (string.IsNullOrEmpty(secretId) || string.IsNullOrEmpty(secretKey))
        {
            throw CliException.Usage($"no credentials: pass --secret-id and --secret-key, or set {SecretIdVariable} and {SecretKeyVariable} (the server prints its dev account at start)");
        }

        var seconds = parse.GetValue(Timeout);
        if (seconds <= 0)
        {
            throw CliException.Usage($"--timeout must be a positive number of seconds, got {seconds}");
        }

        return new ClientOptions(new Uri(endpoint.GetLeftPart(UriPartial.Authority) + "/"), secretId, secretKey, TimeSpan.FromSeconds(seconds));
    }

    /// <summary>A bucket named as COS names them, <c>name-APPID</c>; without the suffix the error says how to write it.</summary>
    public static string Bucket(string? value, string option = "--bucket")
    {
        if (BucketName.TryParse(value, out var name))
        {
            return name.Value;
        }

        var dash = value?.LastIndexOf('-') ?? -1;
        if (value is { Length: > 0 } && (dash < 0 || !BucketName.IsValidAppId(value[(dash + 1)..])))
        {
            throw CliException.Usage($"{option} '{value}' has no APPID suffix: buckets are named <name>-<APPID>, e.g. {value}-1250000000");
        }

        throw CliException.Usage($"{option} '{value}' is not a bucket name: <name>-<APPID>, the name 1-50 lowercase letters, digits and hyphens");
    }
}
