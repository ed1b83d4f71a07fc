using System.Text;
using Coffer.Composition;
using Coffer.Model;
using Coffer.Model.Inventory;
using Coffer.Model.Objects;
using Coffer.Testing;

namespace Coffer.Host.Tests;

/// <summary><c>coffer inventory run</c> with no server on the data folder: the run happens in the command's own process.</summary>
public sealed class InventoryCommandTests : IDisposable
{
    private const string Source = "cmdsrc-1250000000";
    private const string Destination = "cmddst-1250000000";
    private readonly TempDirectory _data = new("inventory-command");

    [Fact]
    public async Task InventoryRun_RunsAPeriodicConfigurationNow_AndPrintsHowItEnded()
    {
        await SeedAsync(isEnabled: "true");

        var (exitCode, output) = await CofferProcess.RunToEndAsync("inventory", "run", "--data", _data.Path, "--bucket", Source, "--id", "nightly");

        exitCode.Should().Be(0, output);
        output.Should().MatchRegex(@"run \S+: Succeeded");
        output.Should().Contain("scanned  3 objects, 6 bytes").And.Contain("reported 3 objects, 6 bytes, in 1 file(s)");
        var manifestKey = $"1250000000/cmdsrc/nightly/{DateTime.UtcNow:yyyyMMdd}/manifest.json";
        output.Should().Contain($"manifest {Destination}/{manifestKey}");
        using var engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = _data.Path, Time = TimeProvider.System });
        var objects = new ObjectService(engine, TimeProvider.System);
        objects.HeadObject(Destination, manifestKey.Replace("manifest.json", "manifest.checksum")).Size.Should().Be(32);
    }

    [Theory]
    [InlineData("false", "nightly", "InvalidArgument")]
    [InlineData("true", "nosuchid", "NoSuchInventoryConfiguration")]
    public async Task InventoryRun_RefusesADisabledOrUnknownConfiguration(string isEnabled, string id, string error)
    {
        await SeedAsync(isEnabled);

        var (exitCode, output) = await CofferProcess.RunToEndAsync("inventory", "run", "--data", _data.Path, "--bucket", Source, "--id", id);

        exitCode.Should().Be(2, output);
        output.Should().Contain($"coffer: {error}");
    }

    public void Dispose() => _data.Dispose();

    private async Task SeedAsync(string isEnabled)
    {
        using var engine = CofferCore.OpenEngine(new CoreOptions { DataDirectory = _data.Path, Time = TimeProvider.System });
        var objects = new ObjectService(engine, TimeProvider.System);
        await objects.CreateBucketAsync(Source, TestAccounts.Owner.AppId, "ap-guangzhou");
        await objects.CreateBucketAsync(Destination, TestAccounts.Owner.AppId, "ap-guangzhou");
        foreach (var key in new[] { "a", "b", "c" })
        {
            await objects.PutObjectAsync(new PutObjectRequest { Bucket = Source, Key = key, Body = new MemoryStream(Encoding.ASCII.GetBytes("xy")), ContentLength = 2 });
        }

        await new InventoryConfigurations(engine.Metadata, TimeProvider.System).PutAsync(Source, new InventoryConfiguration
        {
            Id = "nightly",
            IsEnabledText = isEnabled,
            IncludedObjectVersions = IncludedVersions.Current,
            Schedule = new InventorySchedule(InventoryFrequency.Daily, null),
            OptionalFields = ["Size"],
            Destination = new InventoryDestination
            {
                Bucket = Destination,
                BucketReference = $"qcs::cos:ap-guangzhou::{Destination}",
                Format = InventoryFormat.Csv,
            },
        });
    }
}
