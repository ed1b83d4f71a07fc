using Coffer.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Tests;

/// <summary>What the host around the pipeline is set to not spend per request, with what it still does.</summary>
public sealed class HostCostTests
{
    [Fact]
    public async Task HostingDiagnostics_AreOff_WhileTheServersOwnLogKeepsItsLevel()
    {
        await using var server = await TestServer.StartAsync();
        var loggers = server.Server.Services.GetRequiredService<ILoggerFactory>();

        // Enabled at any level, ASP.NET Core starts an Activity and a log scope for every request.
        loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Critical).Should().BeFalse();
        loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning).Should().BeTrue();
        loggers.CreateLogger("Coffer.Server.Pipeline.RequestPipeline").IsEnabled(LogLevel.Warning).Should().BeTrue();
    }

    [Fact]
    public async Task Configuration_IsReadOnce_WithNoWatcherOnTheWorkingDirectory()
    {
        await using var server = await TestServer.StartAsync();
        var configuration = (IConfigurationRoot)server.Server.Services.GetRequiredService<IConfiguration>();

        var files = configuration.Providers.OfType<JsonConfigurationProvider>().ToList();
        files.Should().NotBeEmpty("appsettings.json is still read");
        files.Should().OnlyContain(file => !file.Source.ReloadOnChange);
    }
}
