namespace Coffer.Protocol.Http;

/// <summary>RFC 9110's token: what a header's name is made of (letters, digits and <c>!#$%&amp;'*+-.^_`|~</c>).</summary>
public static class HttpToken
{
    public static bool IsToken(string text) => text.Length > 0 && text.All(IsTokenCharacter);

    private static bool IsTokenCharacter(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);
}
