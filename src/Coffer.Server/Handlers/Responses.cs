using Coffer.Server.Pipeline;

namespace Coffer.Server.Handlers;

internal static class Responses
{
    public static Task XmlAsync(RequestContext context, byte[] body, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.Aborted).AsTask();
    }

    public static Task BytesAsync(RequestContext context, byte[] body, string contentType)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.Aborted).AsTask();
    }

    public static Task EmptyAsync(RequestContext context, int status = 200)
    {
        context.Response.StatusCode = status;
        if (status != 204)
        {
            context.Response.ContentLength = 0;
        }

        return Task.CompletedTask;
    }
}
