using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Coffer.Storage.Tests;

/// <summary>What the kernel says of an open descriptor, for the tests of direct reads and writes.</summary>
internal static class DirectFlags
{
    /// <summary>Whether the kernel's flags of the descriptor include O_DIRECT (octal 040000 on x64, 0200000 on Arm64).</summary>
    public static bool Of(SafeFileHandle handle)
    {
        var flags = File.ReadLines($"/proc/self/fdinfo/{handle.DangerousGetHandle()}").First(line => line.StartsWith("flags:", StringComparison.Ordinal));
        var value = Convert.ToInt64(flags["flags:".Length..].Trim(), 8);
        var direct = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x10000 : 0x4000;
        return (value & direct) != 0;
    }
}
