using System.Security.Cryptography;
using Coffer.Model.Buckets;
using Coffer.Model.Objects;
using Coffer.Protocol.Http;
using Coffer.Protocol.Routing;
using Coffer.Protocol.Xml;
using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

/// <summary>A bucket's lifecycle, CORS and tagging configurations: PUT, GET and DELETE of each.</summary>
internal sealed class SettingsHandlers(BucketSettings settings)
{
    /// <summary>PUT Bucket lifecycle. A rule without an ID gets one, as S3 gives it, so that x-amz-expiration can name it.</summary>
    public async Task PutLifecycleAsync(RequestContext context)
    {
        var configuration = LifecycleXml.Read(await AccessHandlers.ReadDocumentAsync(context), context.Dialect);
        configuration = configuration with
        {
            Rules = configuration.Rules.Select(r => r.Id is null ? r with { Id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)) } : r).ToArray(),
        };
        await settings.PutLifecycleAsync(context.Bucket, configuration, context.Aborted);
        await Responses.EmptyAsync(context);
    }

    public Task GetLifecycleAsync(RequestContext context) =>
        Responses.XmlAsync(context, XmlDocumentWriter.Write(settings.GetLifecycle(context.Bucket), context.Dialect));

    public async Task DeleteLifecycleAsync(RequestContext context)
    {
        await settings.DeleteLifecycleAsync(context.Bucket, context.Aborted);
        await Responses.EmptyAsync(context, 204);
    }

    public async Task PutCorsAsync(RequestContext context)
    {
        await settings.PutCorsAsync(context.Bucket, CorsXml.Read(await AccessHandlers.ReadDocumentAsync(context)), context.Aborted);
        await Responses.EmptyAsync(context);
    }

    public Task GetCorsAsync(RequestContext context) =>
        Responses.XmlAsync(context, XmlDocumentWriter.Write(settings.GetCors(context.Bucket), context.Dialect));

    public async Task DeleteCorsAsync(RequestContext context)
    {
        await settings.DeleteCorsAsync(context.Bucket, context.Aborted);
        await Responses.EmptyAsync(context, 204);
    }

    /// <summary>PUT Bucket tagging: S3 answers 204, COS 200.</summary>
    public async Task PutTaggingAsync(RequestContext context)
    {
        var tags = RequestDocuments.ReadTagging(await AccessHandlers.ReadDocumentAsync(context));
        await settings.PutTaggingAsync(context.Bucket, tags, context.Aborted);
        await Responses.EmptyAsync(context, context.Dialect == Dialect.S3 ? 204 : 200);
    }

    public Task GetTaggingAsync(RequestContext context) =>
        Responses.XmlAsync(context, XmlDocumentWriter.Write(new TaggingDocument(settings.GetTagging(context.Bucket)), context.Dialect));

    public async Task DeleteTaggingAsync(RequestContext context)
    {
        await settings.DeleteTaggingAsync(context.Bucket, context.Aborted);
        await Responses.EmptyAsync(context, 204);
    }

    /// <summary>
    /// <c>x-amz-expiration</c> on S3 answers about a current version (PUT, GET, HEAD, copy, completion): when the
    /// bucket's lifecycle expires it and by which rule. COS documents no such header.
    /// </summary>
    public void WriteExpiration(RequestContext context, ObjectInfo info)
    {
        if (context.Dialect != Dialect.S3 || info.IsDeleteMarker || !info.IsLatest || (context.Rules is { } rules ? settings.FindLifecycle(rules) : settings.FindLifecycle(context.Bucket)) is not { } lifecycle)
        {
            return;
        }

        if (lifecycle.ExpirationOf(info.Key, info.Tags, info.Size, info.CreatedAt) is var (date, ruleId))
        {
            // The rule id URL-encoded, as S3 documents it: an id is any text, a header value is not.
            context.Response.Headers["x-amz-expiration"] = $"expiry-date=\"{HttpDates.Rfc1123(date)}\", rule-id=\"{Uri.EscapeDataString(ruleId ?? "")}\"";
        }
    }
}
