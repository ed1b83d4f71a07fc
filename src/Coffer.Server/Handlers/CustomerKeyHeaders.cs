using System.Security.Cryptography;
using Coffer.Common;
using Coffer.Model.Objects;
using Coffer.Protocol.Routing;
using Coffer.Server.Pipeline;
using Coffer.Storage.Encryption;

namespace Coffer.Server.Handlers;

/// <summary>
/// The headers of server-side encryption with customer-provided keys (SSE-C), in either dialect:
/// <c>x-cos-</c> / <c>x-amz-server-side-encryption-customer-algorithm</c> (<c>AES256</c>), <c>-customer-key</c> (32 bytes
/// in base64) and <c>-customer-key-MD5</c> (base64 MD5 of the key), and the same after <c>copy-source-</c> for the
/// source of a copy. The three go together, and the MD5 must be the key's: S3 answers InvalidArgument otherwise.
/// </summary>
internal static class CustomerKeyHeaders
{
    private static readonly Names CosObject = new("x-cos-server-side-encryption-customer-");
    private static readonly Names S3Object = new("x-amz-server-side-encryption-customer-");
    private static readonly Names CosCopySource = new("x-cos-copy-source-server-side-encryption-customer-");
    private static readonly Names S3CopySource = new("x-amz-copy-source-server-side-encryption-customer-");

    /// <summary>The key a request gives for the object it writes or reads; null when it gives none.</summary>
    public static CustomerKey? Read(RequestContext context)
    {
        var key = Read(context, ObjectNames(context));
        if (key is not null && (context.Header(context.Wire.ServerSideEncryption) is not null || context.Header(context.Wire.KmsKeyId) is not null))
        {
            throw new CofferException(ErrorCode.InvalidArgument,
                "Server Side Encryption with Customer provided key is incompatible with the encryption method specified.");
        }

        return key;
    }

    /// <summary>The key a copy gives for its source; null when it gives none.</summary>
    public static CustomerKey? ReadCopySource(RequestContext context) =>
        Read(context, context.Wire == WireHeaders.S3 ? S3CopySource : CosCopySource);

    /// <summary>
    /// Echoes the algorithm and the key's MD5 (never the key) of an object or upload written with a customer key, as
    /// S3 does on every answer about one.
    /// </summary>
    public static void Write(RequestContext context)
    {
        var names = ObjectNames(context);
        context.Response.Headers[names.Algorithm] = ObjectEncryption.Aes256;
        if (context.Header(names.KeyMd5) is { } md5)
        {
            context.Response.Headers[names.KeyMd5] = md5;
        }
    }

    private static Names ObjectNames(RequestContext context) => context.Wire == WireHeaders.S3 ? S3Object : CosObject;

    private static CustomerKey? Read(RequestContext context, Names names)
    {
        var algorithm = context.Header(names.Algorithm);
        var key = context.Header(names.Key);
        var md5 = context.Header(names.KeyMd5);
        if (algorithm is null && key is null && md5 is null)
        {
            return null;
        }

        if (algorithm is null)
        {
            throw Invalid("Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.");
        }

        if (algorithm.Trim() != ObjectEncryption.Aes256)
        {
            throw Invalid($"The encryption algorithm specified is not valid: '{algorithm}'; customer-provided keys support AES256 only.");
        }

        if (key is null)
        {
            throw Invalid("Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.");
        }

        if (md5 is null)
        {
            throw Invalid("Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.");
        }

        Span<byte> bytes = stackalloc byte[CustomerKey.KeySize + 1];
        if (!Convert.TryFromBase64String(key.Trim(), bytes, out var length) || CustomerKey.From(bytes[..length]) is not { } customerKey)
        {
            throw Invalid("The secret key was invalid for the specified algorithm.");
        }

        Span<byte> digest = stackalloc byte[16];
        Span<byte> given = stackalloc byte[16];
        MD5.HashData(bytes[..length], digest);
        CryptographicOperations.ZeroMemory(bytes);
        if (!Convert.TryFromBase64String(md5.Trim(), given, out var md5Length) || md5Length != 16 || !CryptographicOperations.FixedTimeEquals(digest, given))
        {
            throw Invalid("The calculated MD5 hash of the key did not match the hash that was provided.");
        }

        return customerKey;
    }

    private static CofferException Invalid(string message) => new(ErrorCode.InvalidArgument, message);

    /// <summary>The three header names under one prefix, built once rather than on every PUT and GET.</summary>
    private sealed class Names(string prefix)
    {
        public string Algorithm { get; } = prefix + "algorithm";

        public string Key { get; } = prefix + "key";

        public string KeyMd5 { get; } = prefix + "key-MD5";
    }
}
