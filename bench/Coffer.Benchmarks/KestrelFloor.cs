using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coffer.Benchmarks;

/// <summary>
/// The floor under Coffer's request path (<c>bench/floor.sh</c>): Kestrel on loopback with the server's GC and compilation
/// settings (not its transport's memory pool or header settings), reading a PUT's body to its end and answering a GET
/// with 1 KiB and an ETag, and doing nothing else. What it costs a request is what Kestrel, the sockets and the thread
/// pool cost before any of Coffer's own work.
/// </summary>
internal static class KestrelFloor
{
    private static readonly byte[] Body = new byte[1024];

    /// <summary><c>kestrel-floor PORT</c>: serves on 127.0.0.1:PORT until the process is stopped.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 1 || !int.TryParse(args[0], out var port))
        {
            await Console.Error.WriteLineAsync("usage: kestrel-floor PORT");
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.Run(AnswerAsync);
        await app.RunAsync();
        return 0;
    }

    private static async Task AnswerAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.ContentLength = Body.Length;
            context.Response.Headers.ETag = "\"0f343b0931126a20f133d67c2b018a3b\"";
            await context.Response.Body.WriteAsync(Body, context.RequestAborted);
            return;
        }

        await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
    }
}
