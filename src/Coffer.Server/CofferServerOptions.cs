using Coffer.Model.Accounts;
using Coffer.Protocol.Routing;
using Microsoft.Extensions.Logging;

namespace Coffer.Server;

public sealed class CofferServerOptions
{
    public const string DefaultListen = "127.0.0.1:9000";
    public const string DefaultRegion = "ap-guangzhou";

    /// <summary>Where the metadata database and blob files live.</summary>
    public required string DataDirectory { get; init; }

    /// <summary><c>host:port</c>; port 0 picks a free port (see <see cref="CofferServer.BaseAddress"/>).</summary>
    public string Listen { get; init; } = DefaultListen;

    /// <summary>The region of buckets created through a host name that names none (path style, IP addresses).</summary>
    public string Region { get; init; } = DefaultRegion;

    /// <summary>Virtual-host suffixes; see <see cref="HostResolver"/>.</summary>
    public IReadOnlyList<string> DomainSuffixes { get; init; } = HostResolver.DefaultSuffixes;

    public required IReadOnlyList<Account> Accounts { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;
}
