using System.Text;
using Coffer.Common;
using Coffer.Common.IO;
using Coffer.Protocol.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Coffer.Server.Pipeline;

/// <summary>
/// A browser form upload (POST Object) read up to its file: the fields before it, by case-insensitive name, and the
/// file part left unread on the wire, to be streamed into the object. Fields after the file are never read, as S3
/// ignores them. Which dialect the form speaks is told by its signature fields (<c>x-amz-signature</c>,
/// <c>x-amz-credential</c> or SigV2's <c>AWSAccessKeyId</c>: S3; <c>q-signature</c> or <c>q-ak</c>: COS), and for an
/// unsigned form by its other fields, as for an unsigned request's headers (<see cref="Router.DialectOfWords"/>).
/// </summary>
internal sealed class PostForm
{
    /// <summary>The most the fields before the file may hold together (names and values).</summary>
    public const int MaxFieldBytes = 64 * 1024;

    private PostForm(Dictionary<string, string> fields, string? fileName, Stream? file)
    {
        Fields = fields;
        FileName = fileName;
        File = file;
        // The fields PostAuthentication verifies a signature by, then the words of an unsigned form.
        Dialect = fields.ContainsKey("x-amz-signature") || fields.ContainsKey("x-amz-credential") || fields.ContainsKey("AWSAccessKeyId")
            ? Dialect.S3
            : fields.ContainsKey("q-signature") || fields.ContainsKey("q-ak") ? Dialect.Cos : Router.DialectOfWords(fields.Keys);
    }

    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>The file name the browser sent with the file, if any.</summary>
    public string? FileName { get; }

    /// <summary>The file part's bytes, read straight from the request as the object is written; null when the form has none.</summary>
    public Stream? File { get; }

    public Dialect Dialect { get; }

    public string? Field(string name) => Fields.TryGetValue(name, out var value) ? value : null;

    /// <summary>
    /// The fields as the object's headers: as sent, but the canned ACL, which the form names <c>acl</c>, under the
    /// dialect's header name.
    /// </summary>
    public IReadOnlyDictionary<string, string> AsHeaders(WireHeaders wire)
    {
        var headers = new Dictionary<string, string>(Fields, StringComparer.OrdinalIgnoreCase);
        if (headers.Remove("acl", out var acl))
        {
            headers[wire.Acl] = acl;
        }

        return headers;
    }

    /// <summary>
    /// The object key: the <c>key</c> field with <c>${filename}</c> replaced by the file's name. Without a key field the
    /// form is refused as S3 refuses it.
    /// </summary>
    public string Key()
    {
        var key = Field("key");
        if (string.IsNullOrEmpty(key))
        {
            throw new CofferException(ErrorCode.InvalidArgument,
                "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.");
        }

        return key.Replace("${filename}", FileName ?? "", StringComparison.Ordinal);
    }

    public static async Task<PostForm> ReadAsync(HttpRequest request, CancellationToken aborted)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
        {
            throw new CofferException(ErrorCode.MalformedPostRequest, "POST Object needs a multipart/form-data body with a boundary.");
        }

        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024 };
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var budget = MaxFieldBytes;
        try
        {
            while (await reader.ReadNextSectionAsync(aborted) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    throw new CofferException(ErrorCode.MalformedPostRequest, "Every part of the form needs a Content-Disposition of form-data.");
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (name.Equals("file", StringComparison.OrdinalIgnoreCase))
                {
                    var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                    return new PostForm(fields, fileName, section.Body);
                }

                budget -= Encoding.UTF8.GetByteCount(name);
                var value = await ReadFieldAsync(section.Body, budget, aborted);
                budget -= Encoding.UTF8.GetByteCount(value);
                if (!fields.TryAdd(name, value))
                {
                    throw new CofferException(ErrorCode.InvalidArgument, $"The form field '{name}' appears more than once.");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or (IOException and not BadHttpRequestException))
        {
            throw new CofferException(ErrorCode.MalformedPostRequest, "The body of your POST request is not well-formed multipart/form-data.");
        }

        // Refused once the fields have said which dialect to answer in.
        return new PostForm(fields, null, null);
    }

    private static async Task<string> ReadFieldAsync(Stream body, int budget, CancellationToken aborted)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await body.ReadAsync(chunk, aborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > budget)
            {
                throw new CofferException(ErrorCode.MaxPostPreDataLengthExceeded);
            }
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}

/// <summary>
/// The file of a form upload as the object's bytes: sized against the policy's <c>content-length-range</c> as it
/// streams (EntityTooLarge as soon as it passes the top, EntityTooSmall at its end, before the reader sees the end, so
/// nothing is stored), and a file part cut off before its closing boundary is an incomplete body, not a server error.
/// </summary>
internal sealed class PostFileStream(Stream inner, long? minimum, long? maximum) : ForwardReadStream
{
    private long _read;

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Count(inner.Read(buffer), buffer.Length);
        }
        catch (Exception e) when (e is InvalidDataException or (IOException and not BadHttpRequestException))
        {
            throw Cut();
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return Count(await inner.ReadAsync(buffer, cancellationToken), buffer.Length);
        }
        catch (Exception e) when (e is InvalidDataException or (IOException and not BadHttpRequestException))
        {
            throw Cut();
        }
    }

    private int Count(int read, int asked)
    {
        _read += read;
        if (maximum is { } max && _read > max)
        {
            throw new CofferException(ErrorCode.EntityTooLarge, "Your proposed upload exceeds the maximum allowed size");
        }

        if (read == 0 && asked > 0 && minimum is { } min && _read < min)
        {
            throw new CofferException(ErrorCode.EntityTooSmall, "Your proposed upload is smaller than the minimum allowed size");
        }

        return read;
    }

    private static CofferException Cut() =>
        new(ErrorCode.IncompleteBody, "The form's file part ended before its closing boundary.");
}
