using System.CommandLine;
using Coffer.Composition;
using Coffer.Server.Configuration;

namespace Coffer.Host;

/// <summary>What every command reads: the data folder, where the metadata lives, and the optional configuration file.</summary>
internal sealed class HostSettings
{
    public readonly Option<string?> Data = new("--data") { Description = "Data folder (blob files, and the metadata database when it is SQLite). Default ./coffer-data." };
    public readonly Option<string?> Metadata = new("--metadata")
    {
        Description = "Where the metadata lives: sqlite (the data folder's database, the default) or postgres://USER[:PASSWORD]@HOST:PORT/DB, " +
            "shared by several nodes. Default: $COFFER_METADATA, else the configuration file's \"metadata\", else sqlite.",
    };
    public readonly Option<FileInfo?> Config = new("--config") { Description = "JSON configuration file (accounts, domains, region, inventory, ...)." };

    /// <summary>The settings; a malformed one fails with <see cref="InvalidDataException"/>, which the commands tell in one line.</summary>
    public (CofferConfigFile? File, string DataDirectory, MetadataLocation Metadata) Read(ParseResult parse)
    {
        var file = parse.GetValue(Config) is { } configFile ? CofferConfigFile.Load(configFile.FullName) : null;
        // A variable set to nothing (an orchestrator's blank entry) is not given: it must not stand for sqlite over a
        // cluster's URL in the configuration file, running the node on a database of its own. An empty option is refused.
        var (value, source) = parse.GetValue(Metadata) is { } option ? (option, "--metadata")
            : Environment.GetEnvironmentVariable("COFFER_METADATA") is { } variable && !string.IsNullOrWhiteSpace(variable) ? (variable, "COFFER_METADATA")
            : (file?.Metadata, "the configuration file's \"metadata\"");
        MetadataLocation metadata;
        try
        {
            if (source == "--metadata" && string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"'{value}' is neither 'sqlite' nor postgres://USER[:PASSWORD]@HOST:PORT/DB.");
            }

            metadata = MetadataLocation.Parse(value);
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"{source}: {error.Message}", error);
        }

        return (file, DataDirectory(parse.GetValue(Data), file?.Data), metadata);
    }

    private static string DataDirectory(string? option, string? configured)
    {
        var (value, source) = option is not null ? (option, "--data") : (configured ?? "coffer-data", "the configuration file's \"data\"");
        // An empty path is refused, not read as the default: a script's unset variable must not open another store.
        if (string.IsNullOrWhiteSpace(value))
        {
            throw NotAFolder();
        }

        try
        {
            return Path.GetFullPath(value);
        }
        catch (ArgumentException)
        {
            throw NotAFolder();
        }

        InvalidDataException NotAFolder() => new($"{source}: '{value}' is not a folder's path.");
    }
}
