using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Coffer.Model.Accounts;
using Coffer.Server;
using Coffer.Server.Accounts;
using Coffer.Server.Configuration;
using Coffer.Storage;

namespace Coffer.Host;

/// <summary>A reason <c>coffer serve</c> cannot start, told in one line before anything is created.</summary>
internal sealed class StartupException(string message) : Exception(message);

/// <summary>
/// What <c>serve</c> checks before it creates anything (data folder, dev account, master key, metadata): that the
/// configuration can be honoured, that no other Coffer process has the data folder, and that every address it will
/// listen on is free.
/// </summary>
internal static class StartupChecks
{
    /// <summary>Whether <paramref name="error"/> is the metadata store failing to open, which a command tells in one line.</summary>
    public static bool IsMetadataFailure(Exception error) =>
        error is MetadataUnavailableException or MetadataRefusedException or MetadataSchemaException;

    /// <summary>The region buckets are made in: a name every client can sign for.</summary>
    public static void Region(string region, string source)
    {
        if (!Common.RegionName.IsValid(region))
        {
            throw new StartupException($"{source}: '{region}' is not a region name (letters, digits and hyphens, a letter or digit at each end, such as ap-guangzhou or us-east-1)");
        }
    }

    public static void Run(CofferConfigFile? file, string dataDirectory, bool shared, IEnumerable<(string Option, string Listen)> addresses)
    {
        Accounts(file);
        try
        {
            file?.ReadMasterKey();
        }
        catch (InvalidDataException error)
        {
            throw new StartupException(error.Message.TrimEnd('.'));
        }

        bool inUse;
        try
        {
            inUse = StorageEngine.IsInUse(dataDirectory, shared);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot use the data folder {dataDirectory}: its lock file cannot be opened for writing: {Reason(error)}");
        }

        if (inUse)
        {
            throw new StartupException($"the data folder {dataDirectory} is in use by another Coffer process");
        }

        foreach (var (option, listen) in addresses)
        {
            (string Host, int Port) parsed;
            try
            {
                parsed = CofferServer.ParseListen(listen, option);
            }
            catch (ArgumentException error)
            {
                throw new StartupException(error.Message.TrimEnd('.'));
            }

            if (parsed.Port != 0 && !IsFree(parsed.Host, parsed.Port))
            {
                throw new StartupException($"cannot listen on {listen} ({option}): the address is already in use");
            }
        }
    }

    /// <summary>
    /// Creates the data folder, the first thing <c>serve</c> makes once the checks have passed, and writes a file in it,
    /// or says in one line why it cannot (a file in its place or on its path, no permission, a read-only disk).
    /// </summary>
    public static void CreateDataFolder(string dataDirectory)
    {
        if (File.Exists(dataDirectory))
        {
            throw new StartupException($"the data folder {dataDirectory} is a file");
        }

        try
        {
            Directory.CreateDirectory(dataDirectory);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot create the data folder {dataDirectory}: {Reason(error)}");
        }

        var probe = Path.Combine(dataDirectory, $".write-check-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot write in the data folder {dataDirectory}: {Reason(error)}");
        }
    }

    /// <summary>
    /// The configured accounts (of the file and the environment) and sub-accounts are ones the identity directory
    /// accepts, a sub-account's policy included (one Coffer could not enforce is refused); for <c>admin</c> too.
    /// </summary>
    public static void Accounts(CofferConfigFile? file)
    {
        try
        {
            IdentityDirectory.CheckConfigured(new AccountDirectory(AccountSources.Configured(file, Environment.GetEnvironmentVariable)), AccountSources.SubAccounts(file));
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException)
        {
            throw new StartupException(error.Message.TrimEnd('.'));
        }
    }

    /// <summary>
    /// The system's reason for a file error (permission denied, a read-only file system) without the file's name, which
    /// .NET adds to an errno's text (and keeps that text inside an UnauthorizedAccessException).
    /// </summary>
    private static string Reason(Exception error) => error switch
    {
        UnauthorizedAccessException { InnerException: { } inner } => Reason(inner),
        IOException { HResult: > 0 and < 4096 } io => Marshal.GetPInvokeErrorMessage(io.HResult),
        _ => error.Message.TrimEnd('.'),
    };

    private static bool IsFree(string host, int port)
    {
        var address = host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host);
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException error) when (error.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied or SocketError.AddressNotAvailable)
        {
            return false;
        }
    }
}
