using System.IO.Pipelines;
using Coffer.Model;
using Coffer.Model.Objects;
using Coffer.Reports;

namespace Coffer.Inventory.Running;

/// <summary>A part on its way into the destination: rows are encoded into a pipe that the object PUT reads.</summary>
internal sealed class PartUpload
{
    private readonly Task<ObjectInfo> _put;
    private readonly CancellationTokenSource _stop;
    private bool _writerDisposed;

    private PartUpload(string key, Task<ObjectInfo> put, CancellationTokenSource stop, IReportPartWriter writer)
    {
        Key = key;
        _put = put;
        _stop = stop;
        Writer = writer;
    }

    public string Key { get; }

    public IReportPartWriter Writer { get; }

    public static PartUpload Start(IObjectService objects, RunPlan plan, string key, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20));
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var put = objects.PutObjectAsync(new PutObjectRequest
        {
            Bucket = plan.Target,
            Key = key,
            Body = pipe.Reader.AsStream(),
            ContentType = plan.Format.ContentType,
            ServerSideEncryption = plan.Encryption?.Algorithm,
            KmsKeyId = plan.Encryption?.KmsKeyId,
        }, stop.Token);

        // If the PUT fails or is cancelled, release the encoder instead of letting it wait on a pipe nobody reads; the
        // failure surfaces when the part completes.
        _ = put.ContinueWith(t => pipe.Reader.Complete((Exception?)t.Exception ?? new OperationCanceledException("The report part was given up.")),
            TaskContinuationOptions.NotOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously);
        return new PartUpload(key, put, stop, plan.Format.CreatePart(pipe.Writer.AsStream(), plan.Schema.Output));
    }

    public async Task<ObjectInfo> CompleteAsync(CancellationToken cancellationToken)
    {
        // On a failure the caller abandons the part, which releases the rest.
        await Writer.CompleteAsync(cancellationToken);
        await DisposeWriterAsync();
        var stored = await _put;
        _stop.Dispose();
        return stored;
    }

    /// <summary>
    /// Gives the part up: its PUT is cancelled before it commits, and the encoder released. Returns the version the PUT
    /// made if it committed all the same (the caller removes it), else null.
    /// </summary>
    public async Task<ObjectInfo?> AbandonAsync()
    {
        await _stop.CancelAsync();
        await DisposeWriterAsync();
        try
        {
            return await _put;
        }
        catch (Exception)
        {
            // Cancelled or failed: nothing was stored.
            return null;
        }
        finally
        {
            _stop.Dispose();
        }
    }

    private async Task DisposeWriterAsync()
    {
        if (!_writerDisposed)
        {
            _writerDisposed = true;
            await Writer.DisposeAsync();
        }
    }
}
