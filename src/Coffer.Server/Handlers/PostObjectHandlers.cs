using System.Text;
using Coffer.Common;
using Coffer.Protocol.Xml;
using Coffer.Server.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Coffer.Server.Handlers;

/// <summary>
/// POST Object, the browser form upload of both dialects. The pipeline has read the form up to its file, checked its
/// signature and policy, and authorized the write; here the file is stored by PUT Object's own model call, described
/// by the form's fields, and the answer is what the form asks for: a 303 to <c>success_action_redirect</c> (with
/// bucket, key and ETag in its query), or <c>success_action_status</c> 200 (empty), 201 (a <c>PostResponse</c>) or 204,
/// the default for any other value.
/// </summary>
internal sealed class PostObjectHandlers(ObjectHandlers objects, SettingsHandlers settings)
{
    private const int MaxTaggingBytes = 64 * 1024;

    public async Task PostObjectAsync(RequestContext context)
    {
        var attributes = ObjectHeaders.Read(context);
        if (context.Header("tagging") is { } tagging)
        {
            attributes = attributes with { Tags = await TagsOfAsync(tagging, context.Aborted) };
        }

        var redirect = RedirectOf(context);
        var stored = await objects.StoreAsync(context, attributes);
        var etag = ObjectHeaders.Quote(stored.ETag);
        var location = LocationOf(context);
        context.Response.Headers.ETag = etag;
        context.Response.Headers.Location = location;
        ObjectHeaders.WriteCrc64(context, stored.Crc64);
        ObjectHeaders.WriteVerifiedChecksum(context);
        ObjectHeaders.WriteVersionId(context, stored);
        ObjectHeaders.WriteEncryption(context, stored);
        settings.WriteExpiration(context, stored);

        if (redirect is not null)
        {
            var query = $"bucket={Uri.EscapeDataString(context.Bucket)}&key={Uri.EscapeDataString(context.Key)}&etag={Uri.EscapeDataString(etag)}";
            context.Response.Headers.Location = redirect + (redirect.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;
            await Responses.EmptyAsync(context, StatusCodes.Status303SeeOther);
            return;
        }

        switch (context.Header("success_action_status"))
        {
            case "200":
                await Responses.EmptyAsync(context);
                break;
            case "201":
                await Responses.XmlAsync(context, XmlDocumentWriter.Write(new PostResponseDocument(location, context.Bucket, context.Key, etag)), 201);
                break;
            default:
                await Responses.EmptyAsync(context, StatusCodes.Status204NoContent);
                break;
        }
    }

    /// <summary>The page to send the browser to, checked before anything is stored: an absolute http(s) URL.</summary>
    private static string? RedirectOf(RequestContext context)
    {
        var redirect = context.Header("success_action_redirect") ?? context.Header("redirect");
        if (string.IsNullOrEmpty(redirect))
        {
            return null;
        }

        // Sent back in the Location header, which carries no control or non-ASCII character (an encoded URL has none).
        return redirect.All(c => c is >= ' ' and <= '~') && Uri.TryCreate(redirect, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? redirect
            : throw new CofferException(ErrorCode.InvalidArgument, $"success_action_redirect must be an absolute http or https URL: '{redirect}'.");
    }

    /// <summary>The new object's URL, on the host and in the style (virtual-hosted or path) the form was posted to.</summary>
    private static string LocationOf(RequestContext context)
    {
        var request = context.Request;
        var path = context.Route.VirtualHosted ? "/" : "/" + context.Bucket + "/";
        return $"{request.Scheme}://{request.Host}{path}{UrlEncoding.EncodePath(context.Key)}";
    }

    /// <summary>The <c>tagging</c> field: a <c>Tagging</c> XML document, as in PUT Object tagging.</summary>
    private static async Task<IReadOnlyList<KeyValuePair<string, string>>> TagsOfAsync(string tagging, CancellationToken aborted)
    {
        if (tagging.Length > MaxTaggingBytes)
        {
            throw new CofferException(ErrorCode.InvalidTag, "The tagging field is too large.");
        }

        using var body = new MemoryStream(Encoding.UTF8.GetBytes(tagging));
        var root = await SafeXml.ReadAsync(body, MaxTaggingBytes, aborted)
            ?? throw new CofferException(ErrorCode.MalformedXml, "The tagging field is empty.");
        return RequestDocuments.ReadTagging(root);
    }
}
