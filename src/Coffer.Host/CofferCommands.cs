using System.CommandLine;
using Coffer.Server;
using Coffer.Server.Accounts;
using Microsoft.Extensions.Logging;

namespace Coffer.Host;

internal static class CofferCommands
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Coffer: a self-hosted object store speaking the COS XML and S3 APIs, with bucket inventory.");
        var settings = new HostSettings();
        root.Subcommands.Add(ServeCommand(settings));
        root.Subcommands.Add(Cli.InventoryCommands.Build());
        root.Subcommands.Add(Cli.ReportCommands.Build());
        root.Subcommands.Add(AdminCommand.Build(settings));
        return root;
    }

    private static Command ServeCommand(HostSettings settings)
    {
        var listen = new Option<string?>("--listen") { Description = $"HOST:PORT to listen on. Default {CofferServerOptions.DefaultListen}." };
        var region = new Option<string?>("--region") { Description = $"Region of buckets created by path-style requests. Default {CofferServerOptions.DefaultRegion}." };
        var logLevel = new Option<LogLevel?>("--log-level") { Description = "Trace, Debug (one line per request), Information, Warning, Error." };

        var serve = new Command("serve", "Run the server until Ctrl-C.") { settings.Data, listen, settings.Config, region, logLevel };
        serve.SetAction(async (parse, cancellationToken) =>
        {
            var (file, dataDirectory) = settings.Read(parse);
            var (accounts, createdDevAccount) = AccountSources.Resolve(file, Environment.GetEnvironmentVariable, dataDirectory);
            var options = new CofferServerOptions
            {
                DataDirectory = dataDirectory,
                Listen = parse.GetValue(listen) ?? file?.Listen ?? CofferServerOptions.DefaultListen,
                Region = parse.GetValue(region) ?? file?.Region ?? CofferServerOptions.DefaultRegion,
                DomainSuffixes = file?.Domains ?? Protocol.Routing.HostResolver.DefaultSuffixes,
                Accounts = accounts,
                SubAccounts = AccountSources.SubAccounts(file),
                LogLevel = parse.GetValue(logLevel) ?? (Enum.TryParse<LogLevel>(file?.LogLevel, true, out var level) ? level : LogLevel.Information),
                Inventory = file?.Inventory?.ToOptions() ?? new InventoryServiceOptions(),
                MasterKey = file?.ReadMasterKey(),
            };

            await using var server = CofferServer.Create(options);
            await server.StartAsync(cancellationToken);
            StartupSummary.Print(Console.Out, server.BaseAddress, options, server.MasterKeyId, createdDevAccount);
            await server.WaitForShutdownAsync(cancellationToken);
            return 0;
        });
        return serve;
    }
}
