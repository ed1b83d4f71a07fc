namespace Coffer.Common;

/// <summary>A failure the client caused or must be told about; the protocol layer turns it into an error response.</summary>
public sealed class CofferException : Exception
{
    public CofferException(ErrorCode code, string? message = null, Exception? inner = null)
        : base(message ?? code.ToString(), inner)
    {
        Code = code;
        HasCustomMessage = message is not null;
    }

    public ErrorCode Code { get; }

    /// <summary>False when the error table's default message should be used.</summary>
    public bool HasCustomMessage { get; }

    /// <summary>Headers the error response carries besides the common ones (a delete marker's version id, say).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders { get; init; } = [];

    /// <summary>
    /// Elements the error document carries after its Message (S3's Region: the region expected, for a signature scoped
    /// to another).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Details { get; init; } = [];
}
