using System.Globalization;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Common;
using Coffer.Model;
using Coffer.Model.Batch;
using Coffer.Model.Objects;
using Coffer.Storage.Records;

namespace Coffer.Batch;

/// <summary>
/// A job's completion report, in the layout AWS documents: <c>[prefix/]job-&lt;id&gt;/results/&lt;name&gt;.csv</c> (one file
/// for succeeded tasks, one for failed ones; rows Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode,
/// ResultMessage, every field quoted, keys URL-encoded), then <c>job-&lt;id&gt;/manifest.json</c> listing them with their
/// MD5, and <c>job-&lt;id&gt;/manifest.checksum</c> (the MD5 of manifest.json) last.
/// </summary>
internal sealed class CompletionReport(IObjectService objects, BatchRunnerOptions options, TimeProvider time)
{
    public const string Schema = "Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage";

    /// <summary>Where the report's files go; each is handed to <paramref name="planned"/> before it is written.</summary>
    public async Task<string> WriteAsync(BatchJobRecord job, BatchJobSpec spec, Func<string, Task> planned, Func<int, IReadOnlyList<BatchChunkRecord>> chunks,
        CancellationToken cancellationToken)
    {
        var report = spec.Report;
        var root = Root(report, job.JobId);
        var results = new List<(string Status, string Key, string Md5)>();
        foreach (var succeeded in new[] { true, false })
        {
            if ((succeeded && (report.FailedOnly || job.TasksSucceeded == 0)) || (!succeeded && job.TasksFailed == 0))
            {
                continue;
            }

            var key = $"{root}results/{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{job.JobId}/{succeeded}")))[..40]}.csv";
            await planned(key);
            var stored = await PutStreamedAsync(report.Bucket!, key, stream => WriteRowsAsync(stream, spec.Dialect, succeeded, chunks, cancellationToken),
                cancellationToken);
            results.Add((succeeded ? "succeeded" : "failed", key, stored.ETag));
        }

        var manifest = Manifest(report.Bucket!, results, time.GetUtcNow());
        var manifestKey = root + "manifest.json";
        await planned(manifestKey);
        await PutAsync(report.Bucket!, manifestKey, manifest, "application/json", cancellationToken);
        var checksumKey = root + "manifest.checksum";
        await planned(checksumKey);
        await PutAsync(report.Bucket!, checksumKey, Encoding.ASCII.GetBytes(Convert.ToHexStringLower(MD5.HashData(manifest))), "text/plain", cancellationToken);
        return manifestKey;
    }

    /// <summary>The folder of the job's report files: <c>[prefix/]job-&lt;id&gt;/</c>.</summary>
    public static string Root(BatchReport report, string jobId) =>
        (string.IsNullOrEmpty(report.Prefix) ? "" : report.Prefix.TrimEnd('/') + "/") + $"job-{jobId}/";

    private async Task WriteRowsAsync(Stream stream, BatchDialect dialect, bool succeeded, Func<int, IReadOnlyList<BatchChunkRecord>> chunks,
        CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
        var from = 0;
        while (chunks(from) is { Count: > 0 } page)
        {
            foreach (var chunk in page)
            {
                var tasks = BatchCodec.DecodeTasks(chunk.Tasks);
                var kept = BatchCodec.DecodeResults(chunk.Results).ToDictionary(r => r.Index, r => r.Result);
                for (var i = 0; i < chunk.Done; i++)
                {
                    var result = kept.GetValueOrDefault(i, BatchTaskResult.Success);
                    if (result.Succeeded != succeeded)
                    {
                        continue;
                    }

                    var task = tasks[i];
                    var (code, status) = result.Succeeded ? ("", 200) : Describe(result.ErrorCode, dialect);
                    Field(writer, task.Bucket, ',');
                    Field(writer, UrlEncoding.Encode(task.Key), ',');
                    Field(writer, task.VersionId ?? "", ',');
                    Field(writer, succeeded ? "succeeded" : "failed", ',');
                    Field(writer, code, ',');
                    Field(writer, status.ToString(CultureInfo.InvariantCulture), ',');
                    Field(writer, result.Message, '\n');
                }
            }

            from = page[^1].Chunk + 1;
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private (string Code, int Status) Describe(string errorCode, BatchDialect dialect) =>
        options.DescribeError?.Invoke(errorCode, dialect) ?? (errorCode, 500);

    private static void Field(StreamWriter writer, string value, char end)
    {
        writer.Write('"');
        writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        writer.Write('"');
        writer.Write(end);
    }

    private static byte[] Manifest(string bucket, IReadOnlyList<(string Status, string Key, string Md5)> results, DateTimeOffset created)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("Format", "Report_CSV_20180820");
            json.WriteString("ReportCreationDate", created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteStartArray("Results");
            foreach (var (status, key, md5) in results)
            {
                json.WriteStartObject();
                json.WriteString("TaskExecutionStatus", status);
                json.WriteString("Bucket", bucket);
                json.WriteString("MD5Checksum", md5);
                json.WriteString("Key", key);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("ReportSchema", Schema);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private Task<ObjectInfo> PutAsync(string bucket, string key, byte[] body, string contentType, CancellationToken cancellationToken) =>
        objects.PutObjectAsync(new PutObjectRequest
        {
            Bucket = bucket,
            Key = key,
            Body = new MemoryStream(body),
            ContentLength = body.Length,
            ContentType = contentType,
            // Completion reports are always encrypted at rest, as AWS's are (SSE-S3).
            ServerSideEncryption = "AES256",
        }, cancellationToken);

    /// <summary>Streams rows into a PUT through a pipe, so a report of millions of rows never sits in memory.</summary>
    private async Task<ObjectInfo> PutStreamedAsync(string bucket, string key, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20));
        var put = objects.PutObjectAsync(new PutObjectRequest
        {
            Bucket = bucket,
            Key = key,
            Body = pipe.Reader.AsStream(),
            ContentType = "text/csv",
            ServerSideEncryption = "AES256",
        }, cancellationToken);
        _ = put.ContinueWith(t => pipe.Reader.Complete(t.Exception), TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        try
        {
            await write(pipe.Writer.AsStream(leaveOpen: true));
            await pipe.Writer.CompleteAsync();
        }
        catch (Exception error)
        {
            await pipe.Writer.CompleteAsync(error);
            throw;
        }

        return await put;
    }
}
