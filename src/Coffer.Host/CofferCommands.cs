using System.CommandLine;
using Coffer.Server;
using Coffer.Server.Accounts;
using Coffer.Server.Configuration;
using Microsoft.Extensions.Logging;

namespace Coffer.Host;

internal static class CofferCommands
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Coffer: a self-hosted object store speaking the COS XML and S3 APIs, with bucket inventory.");
        root.Subcommands.Add(ServeCommand());
        return root;
    }

    private static Command ServeCommand()
    {
        var data = new Option<string?>("--data") { Description = "Data folder (metadata database and blob files). Default ./coffer-data." };
        var listen = new Option<string?>("--listen") { Description = $"HOST:PORT to listen on. Default {CofferServerOptions.DefaultListen}." };
        var config = new Option<FileInfo?>("--config") { Description = "JSON configuration file (accounts, domains, region, ...)." };
        var region = new Option<string?>("--region") { Description = $"Region of buckets created by path-style requests. Default {CofferServerOptions.DefaultRegion}." };
        var logLevel = new Option<LogLevel?>("--log-level") { Description = "Trace, Debug (one line per request), Information, Warning, Error." };

        var serve = new Command("serve", "Run the server until Ctrl-C.") { data, listen, config, region, logLevel };
        serve.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(config) is { } configFile ? CofferConfigFile.Load(configFile.FullName) : null;
            var dataDirectory = Path.GetFullPath(parse.GetValue(data) ?? file?.Data ?? "coffer-data");
            var (accounts, createdDevAccount) = AccountSources.Resolve(file, Environment.GetEnvironmentVariable, dataDirectory);
            var options = new CofferServerOptions
            {
                DataDirectory = dataDirectory,
                Listen = parse.GetValue(listen) ?? file?.Listen ?? CofferServerOptions.DefaultListen,
                Region = parse.GetValue(region) ?? file?.Region ?? CofferServerOptions.DefaultRegion,
                DomainSuffixes = file?.Domains ?? Protocol.Routing.HostResolver.DefaultSuffixes,
                Accounts = accounts,
                LogLevel = parse.GetValue(logLevel) ?? (Enum.TryParse<LogLevel>(file?.LogLevel, true, out var level) ? level : LogLevel.Information),
            };

            await using var server = CofferServer.Create(options);
            await server.StartAsync(cancellationToken);
            StartupSummary.Print(Console.Out, server.BaseAddress, options, createdDevAccount);
            await server.WaitForShutdownAsync(cancellationToken);
            return 0;
        });
        return serve;
    }
}
