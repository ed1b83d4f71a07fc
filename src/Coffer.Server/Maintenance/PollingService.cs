using Coffer.Composition;
using Coffer.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coffer.Server.Maintenance;

/// <summary>
/// The loop every background worker of the server runs: a round of work, then a wait (the poll interval, or less when
/// something wakes the worker), for as long as the server runs. A round that fails does not end the loop: the database
/// being away is waited out, a failure the worker expects is a warning, anything else is logged as an error and the
/// next round tries again.
/// </summary>
internal abstract partial class PollingService(ILogger logger) : BackgroundService
{
    /// <summary>What the log lines call this worker ("Inventory", "Batch", ...).</summary>
    protected abstract string Name { get; }

    /// <summary>True when the worker waits before its first round (work that is pointless right at start).</summary>
    protected virtual bool WaitsFirst => false;

    protected abstract Task RunRoundAsync(CancellationToken cancellationToken);

    protected abstract Task WaitAsync(CancellationToken cancellationToken);

    /// <summary>Why <paramref name="error"/> is part of normal operation (a warning, not an error), or null when it is not.</summary>
    protected virtual string? ExpectedFailure(Exception error) => null;

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (WaitsFirst)
        {
            await WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var diskFull = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunRoundAsync(stoppingToken);
                diskFull = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (MetadataUnavailableException error)
            {
                // The database is away (restarting, failing over): nothing to do but wait for it.
                LogUnavailable(logger, Name, error.Message);
            }
            catch (Exception error) when (DiskFull.Is(error))
            {
                // Said once, not with a stack every round: the log may be on the same full disk.
                if (!diskFull)
                {
                    LogDiskFull(logger, Name, error.Message);
                }

                diskFull = true;
            }
            catch (Exception error) when (ExpectedFailure(error) is { } reason)
            {
                LogStopped(logger, Name, reason);
            }
            catch (Exception error)
            {
                // A round records the failures of its own work (a run, a job, a pass); this is the loop surviving one around it.
                LogFailure(logger, Name, error);
            }

            await WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Worker} paused: {Reason}; trying again after the poll interval")]
    private static partial void LogUnavailable(ILogger logger, string worker, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Worker} paused: the data folder's disk is full ({Reason}); trying again after the poll interval, silently until a round succeeds")]
    private static partial void LogDiskFull(ILogger logger, string worker, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Worker} round stopped: {Reason}")]
    private static partial void LogStopped(ILogger logger, string worker, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Worker} round failed; trying again after the poll interval")]
    private static partial void LogFailure(ILogger logger, string worker, Exception error);
}
