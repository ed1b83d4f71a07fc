namespace Coffer.Common;

public static class Hex
{
    public static string Lower(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
