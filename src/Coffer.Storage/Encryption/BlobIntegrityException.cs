namespace Coffer.Storage.Encryption;

/// <summary>
/// Encrypted bytes that do not authenticate: the configured master key is not the one they were written under, or a
/// blob file was damaged or tampered with. Raised instead of returning a single unverified byte.
/// </summary>
public sealed class BlobIntegrityException(string message, Exception? inner = null) : IOException(message, inner);
