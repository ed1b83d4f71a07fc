using System.Text;
using Coffer.Common;

namespace Coffer.Model.Objects;

/// <summary>Object tag rules of COS and S3: at most 10 tags, unique keys of 1-128 characters, values of at most 256.</summary>
public static class ObjectTags
{
    public const int MaxTags = 10;
    public const int MaxKeyLength = 128;
    public const int MaxValueLength = 256;

    /// <summary>Checks the tags of an object (at most <see cref="MaxTags"/>) or, with <paramref name="maxTags"/>, of a bucket.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Validate(IReadOnlyList<KeyValuePair<string, string>> tags, int maxTags = MaxTags)
    {
        if (tags.Count > maxTags)
        {
            throw Invalid($"At most {maxTags} tags are allowed; this request has {tags.Count}.");
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            if (key.Length is 0 or > MaxKeyLength)
            {
                throw Invalid($"A tag key must have 1 to {MaxKeyLength} characters.");
            }

            if (value.Length > MaxValueLength)
            {
                throw Invalid($"A tag value may have at most {MaxValueLength} characters.");
            }

            if (!IsAllowed(key) || !IsAllowed(value))
            {
                throw Invalid("Tags may contain letters, digits, spaces and + - = . _ : / @ only.");
            }

            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid("Tag keys may not start with 'aws:', which S3 keeps for its own tags.");
            }

            if (!keys.Add(key))
            {
                throw Invalid($"The tag key '{key}' appears more than once.");
            }
        }

        return tags;
    }

    private static bool IsAllowed(string text) =>
        text.EnumerateRunes().All(r => Rune.IsLetterOrDigit(r) || r.Value is ' ' or '+' or '-' or '=' or '.' or '_' or ':' or '/' or '@');

    private static CofferException Invalid(string message) => new(ErrorCode.InvalidTag, message);
}
