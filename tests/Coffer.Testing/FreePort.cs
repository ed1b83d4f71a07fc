using System.Net;
using System.Net.Sockets;

namespace Coffer.Testing;

/// <summary>A loopback port nothing listens on (the system's pick, let go at once), for a connection that must be refused.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
