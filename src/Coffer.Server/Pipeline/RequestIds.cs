using System.Security.Cryptography;
using System.Text;

namespace Coffer.Server.Pipeline;

/// <summary>Request and trace ids in the shape COS uses: base64 of underscore-joined hex fields.</summary>
internal static class RequestIds
{
    private static long _counter;

    public static string NewRequestId(DateTimeOffset now)
    {
        var counter = Interlocked.Increment(ref _counter);
        // The counter makes ids unique; the random field only keeps them from being guessed in sequence, which needs no
        // cryptographic generator (that one cost a system call per request).
        var text = $"{now.ToUnixTimeSeconds():x8}_{(uint)Random.Shared.NextInt64(1L << 32):x8}_{counter:x4}";
        return Convert.ToBase64String(Encoding.ASCII.GetBytes(text));
    }

    public static string NewTraceId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
}
