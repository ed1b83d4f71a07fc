using System.Net;
using System.Net.Sockets;
using Coffer.Server;
using Coffer.Storage;

namespace Coffer.Host;

/// <summary>A reason <c>coffer serve</c> cannot start, told in one line before anything is created.</summary>
internal sealed class StartupException(string message) : Exception(message);

/// <summary>
/// What <c>serve</c> checks before it creates anything (data folder, dev account, master key): that no other Coffer
/// process has the data folder, and that every address it will listen on is free.
/// </summary>
internal static class StartupChecks
{
    public static void Run(string dataDirectory, IEnumerable<(string Option, string Listen)> addresses)
    {
        if (StorageEngine.IsInUse(dataDirectory))
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
