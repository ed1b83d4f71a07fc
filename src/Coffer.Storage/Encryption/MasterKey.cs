using System.Security.Cryptography;
using System.Text;

namespace Coffer.Storage.Encryption;

/// <summary>
/// The AES-256 key that wraps every blob's data key. It comes from the configuration, or is generated on first start
/// into the data folder (<see cref="FileName"/>, readable by its owner only) and read from there afterwards. It never
/// touches the metadata database: a copy of <c>metadata.db</c> and <c>blobs/</c> without it decrypts nothing.
/// </summary>
public sealed class MasterKey
{
    public const string FileName = "master.key";
    public const int KeySize = 32;

    private const byte WrapFormat = 1;
    private const int IdSize = 8;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>Format byte, master key id, nonce, the encrypted data key, tag.</summary>
    internal const int WrappedSize = 1 + IdSize + NonceSize + KeySize + TagSize;

    private readonly byte[] _key;
    private readonly byte[] _id;

    private MasterKey(byte[] key)
    {
        _key = key;
        // A fingerprint, not the key: wrapped keys carry it so a wrong key is named as such instead of as tampering.
        _id = HMACSHA256.HashData(key, "coffer master key id"u8)[..IdSize];
        Id = Convert.ToHexStringLower(_id);
    }

    /// <summary>Names the key in logs and errors without revealing it.</summary>
    public string Id { get; }

    /// <summary>A key given as base64 (the configuration's <c>masterKey</c>, or the key file's content).</summary>
    public static MasterKey FromBase64(string text)
    {
        var key = new byte[KeySize];
        return Convert.TryFromBase64String(text.Trim(), key, out var written) && written == KeySize
            ? new MasterKey(key)
            : throw new InvalidDataException($"A master key is {KeySize} bytes in base64 (44 characters).");
    }

    /// <summary>
    /// The key saved in <paramref name="dataDirectory"/>, created (mode 0600) when there is none yet. The key is written
    /// to a file of its own, flushed, then moved into place without replacing anything: a crash leaves no empty or
    /// half-written key behind, and of two processes racing to create it, both read the one that won.
    /// </summary>
    public static MasterKey LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            var staged = Path.Combine(dataDirectory, $"{FileName}.{Guid.NewGuid():N}.new");
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using (var file = new FileStream(staged, options))
                {
                    file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeySize)) + "\n"));
                    file.Flush(flushToDisk: true);
                }

                File.Move(staged, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first.
            }
            finally
            {
                File.Delete(staged);
            }
        }

        return FromBase64(File.ReadAllText(path));
    }

    /// <summary>Encrypts a data key for the blob <paramref name="blobId"/>; the id is authenticated, so the result opens no other blob.</summary>
    internal byte[] Wrap(ReadOnlySpan<byte> dataKey, string blobId)
    {
        var wrapped = new byte[WrappedSize];
        wrapped[0] = WrapFormat;
        _id.CopyTo(wrapped.AsSpan(1));
        var nonce = wrapped.AsSpan(1 + IdSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, dataKey, wrapped.AsSpan(1 + IdSize + NonceSize, KeySize), wrapped.AsSpan(WrappedSize - TagSize), Encoding.ASCII.GetBytes(blobId));
        return wrapped;
    }

    /// <summary>The data key of <paramref name="blobId"/>; fails with <see cref="BlobIntegrityException"/> rather than return a wrong one.</summary>
    internal byte[] Unwrap(ReadOnlySpan<byte> wrapped, string blobId)
    {
        if (wrapped.Length != WrappedSize || wrapped[0] != WrapFormat)
        {
            throw new BlobIntegrityException($"The data key of blob {blobId} is not in a format this Coffer knows.");
        }

        if (!wrapped.Slice(1, IdSize).SequenceEqual(_id))
        {
            throw new BlobIntegrityException(
                $"Blob {blobId} was encrypted under master key {Convert.ToHexStringLower(wrapped.Slice(1, IdSize))}, but the configured master key is {Id}.");
        }

        var dataKey = new byte[KeySize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(wrapped.Slice(1 + IdSize, NonceSize), wrapped.Slice(1 + IdSize + NonceSize, KeySize), wrapped[^TagSize..], dataKey,
                Encoding.ASCII.GetBytes(blobId));
            return dataKey;
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new BlobIntegrityException($"The data key of blob {blobId} failed authentication.", e);
        }
    }
}
