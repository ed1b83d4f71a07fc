using System.CommandLine;
using Coffer.Server.Configuration;

namespace Coffer.Host;

/// <summary>What every command reads: the data folder and the optional configuration file.</summary>
internal sealed class HostSettings
{
    public readonly Option<string?> Data = new("--data") { Description = "Data folder (metadata database and blob files). Default ./coffer-data." };
    public readonly Option<FileInfo?> Config = new("--config") { Description = "JSON configuration file (accounts, domains, region, inventory, ...)." };

    public (CofferConfigFile? File, string DataDirectory) Read(ParseResult parse)
    {
        var file = parse.GetValue(Config) is { } configFile ? CofferConfigFile.Load(configFile.FullName) : null;
        return (file, Path.GetFullPath(parse.GetValue(Data) ?? file?.Data ?? "coffer-data"));
    }
}
