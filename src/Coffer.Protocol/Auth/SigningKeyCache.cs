using System.Collections.Concurrent;

namespace Coffer.Protocol.Auth;

/// <summary>
/// SigV4 signing keys by (secret, date, region, service): a key changes once a day per credential, and deriving it is
/// four HMACs, so a server verifying thousands of requests a second derives each key once. Bounded: when it holds
/// <see cref="Capacity"/> keys it starts again, which costs one derivation per key in use. The keys it returns are
/// shared and must not be changed.
/// </summary>
public static class SigningKeyCache
{
    public const int Capacity = 1024;

    private static readonly ConcurrentDictionary<(string Secret, string Date, string Region, string Service), byte[]> Keys = new();

    public static byte[] Get(string secretKey, string date, string region, string service)
    {
        var scope = (secretKey, date, region, service);
        if (Keys.TryGetValue(scope, out var key))
        {
            return key;
        }

        if (Keys.Count >= Capacity)
        {
            Keys.Clear();
        }

        key = SigV4.SigningKey(secretKey, date, region, service);
        Keys[scope] = key;
        return key;
    }
}
