using System.CommandLine;
using Coffer.Composition;
using Coffer.Server;
using Coffer.Server.Accounts;
using Coffer.Server.Configuration;
using Coffer.WebConsole;
using Microsoft.Extensions.Logging;

namespace Coffer.Host;

internal static class CofferCommands
{
    private const string DefaultConsole = "127.0.0.1:9001";

    public static RootCommand Build()
    {
        var root = new RootCommand("Coffer: a self-hosted object store speaking the COS XML and S3 APIs, with bucket inventory.");
        var settings = new HostSettings();
        root.Subcommands.Add(ServeCommand(settings));
        root.Subcommands.Add(Cli.InventoryCommands.Build());
        root.Subcommands.Add(Cli.ReportCommands.Build());
        root.Subcommands.Add(Cli.BatchCommands.Build());
        root.Subcommands.Add(AdminCommand.Build(settings));
        return root;
    }

    private static Command ServeCommand(HostSettings settings)
    {
        var listen = new Option<string?>("--listen") { Description = $"HOST:PORT to listen on. Default {CofferServerOptions.DefaultListen}." };
        var region = new Option<string?>("--region") { Description = $"Region of buckets created by path-style requests. Default {CofferServerOptions.DefaultRegion}." };
        var logLevel = new Option<LogLevel?>("--log-level") { Description = "Trace, Debug (one line per request), Information, Warning, Error." };
        var console = new Option<string>("--console")
        {
            Description = $"HOST:PORT of the web console and /metrics, or 'off'. Default {DefaultConsole}.",
            DefaultValueFactory = _ => DefaultConsole,
        };

        var serve = new Command("serve", "Run the server until Ctrl-C.") { settings.Data, settings.Metadata, listen, settings.Config, region, logLevel, console };
        serve.SetAction(async (parse, cancellationToken) =>
        {
            CofferConfigFile? file;
            string dataDirectory;
            MetadataLocation metadata;
            try
            {
                (file, dataDirectory, metadata) = settings.Read(parse);
            }
            catch (Exception error) when (error is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                // A configuration file that is missing, unreadable, not JSON or holds a value of the wrong type: one line, no stack trace.
                await Console.Error.WriteLineAsync($"coffer: {error.Message}");
                return 1;
            }

            var apiListen = parse.GetValue(listen) ?? file?.Listen ?? CofferServerOptions.DefaultListen;
            var consoleListen = parse.GetValue(console) is "off" ? null : parse.GetValue(console)!;
            var (serverRegion, regionSource) = parse.GetValue(region) is { } given ? (given, "--region")
                : (file?.Region ?? CofferServerOptions.DefaultRegion, "the configuration file's \"region\"");
            try
            {
                StartupChecks.Region(serverRegion, regionSource);
                StartupChecks.Run(file, dataDirectory, metadata.IsShared, consoleListen is null ? [("--listen", apiListen)] : [("--listen", apiListen), ("--console", consoleListen)]);
                StartupChecks.CreateDataFolder(dataDirectory);
            }
            catch (StartupException error)
            {
                await Console.Error.WriteLineAsync($"coffer: {error.Message}");
                return 1;
            }

            var (accounts, createdDevAccount) = AccountSources.Resolve(file, Environment.GetEnvironmentVariable, dataDirectory);
            var options = new CofferServerOptions
            {
                DataDirectory = dataDirectory,
                Metadata = metadata,
                Listen = apiListen,
                Region = serverRegion,
                DomainSuffixes = file?.Domains ?? Protocol.Routing.HostResolver.DefaultSuffixes,
                Accounts = accounts,
                SubAccounts = AccountSources.SubAccounts(file),
                LogLevel = parse.GetValue(logLevel) ?? (Enum.TryParse<LogLevel>(file?.LogLevel, true, out var level) ? level : LogLevel.Information),
                Inventory = (file?.Inventory ?? CofferConfigFile.InventorySection.Defaults).ToOptions(),
                Batch = file?.Batch?.ToOptions() ?? new BatchServiceOptions(),
                Notifications = file?.Notifications?.ToOptions() ?? new NotificationServiceOptions(),
                JournalRetention = file?.Journal?.Retention ?? TimeSpan.FromDays(7),
                AccessLogs = file?.AccessLogs?.ToOptions() ?? new AccessLogServiceOptions(),
                MasterKey = file?.ReadMasterKey(),
                WarmUpRequests = file?.RequestWarmUp ?? true,
            };

            CofferServer server;
            try
            {
                server = CofferServer.Create(options);
            }
            catch (Exception error) when (StartupChecks.IsMetadataFailure(error) || error is IOException or UnauthorizedAccessException)
            {
                // Nothing to serve without the metadata or the data folder (another process took it since the checks, say):
                // say so in one line, no stack trace.
                await Console.Error.WriteLineAsync($"coffer: {error.Message}");
                return 1;
            }

            await using var started = server;
            await using var web = consoleListen is null ? null : ConsoleServer.Create(consoleListen, server.Services, options.LogLevel);
            try
            {
                await server.StartAsync(cancellationToken);
                if (web is not null)
                {
                    await web.StartAsync(cancellationToken);
                }
            }
            catch (IOException error)
            {
                // The checks above make this rare: another process took the port in between.
                await Console.Error.WriteLineAsync($"coffer: cannot start: {error.Message}");
                return 1;
            }

            StartupSummary.Print(Console.Out, server.BaseAddress, web?.BaseAddress, options, server.MasterKeyId, server.MetadataDescription, createdDevAccount);
            await server.WaitForShutdownAsync(cancellationToken);
            return 0;
        });
        return serve;
    }
}
