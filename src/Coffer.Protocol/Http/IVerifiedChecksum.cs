namespace Coffer.Protocol.Http;

/// <summary>A body stream that verified a flexible checksum; S3 echoes it in the response.</summary>
public interface IVerifiedChecksum
{
    /// <summary>The checksum header and its value, once the body has been read to the end and matched; else null.</summary>
    KeyValuePair<string, string>? VerifiedChecksum { get; }
}
