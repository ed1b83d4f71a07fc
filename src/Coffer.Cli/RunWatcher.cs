using System.Diagnostics;
using System.Globalization;

namespace Coffer.Cli;

/// <summary>
/// Follows a run until it ends, drawing its progress on <c>stderr</c> (so <c>--output json</c> stays clean on stdout):
/// a bar of rows scanned against the estimate (what the configuration's last run scanned), files written and MB/s
/// scanned. On a terminal the bar is redrawn in place; otherwise a line is printed at most once a second.
/// </summary>
public static class RunWatcher
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(1);
    private const int BarWidth = 30;

    public static async Task<RunView> WaitAsync(CofferClient client, string bucket, string jobId, long? estimate, TextWriter output,
        CancellationToken cancellationToken)
    {
        var interactive = ReferenceEquals(output, Console.Error) && !Console.IsErrorRedirected;
        var clock = Stopwatch.StartNew();
        TimeSpan? lastLine = null;
        while (true)
        {
            var run = RunView.Parse(await client.GetXmlAsync(bucket, "inventory-run&job-id=" + Uri.EscapeDataString(jobId), cancellationToken));
            var line = Line(run, estimate, clock.Elapsed);
            if (interactive)
            {
                await output.WriteAsync("\r" + line.PadRight(Console.WindowWidth > 1 ? Math.Min(Console.WindowWidth - 1, 120) : 100));
            }
            else if (run.HasEnded || lastLine is null || clock.Elapsed - lastLine >= LineInterval)
            {
                await output.WriteLineAsync(line);
                lastLine = clock.Elapsed;
            }

            if (run.HasEnded)
            {
                if (interactive)
                {
                    await output.WriteLineAsync();
                }

                return run;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>
    /// <c>[#######.......]  45%  12,000/26,000 rows  1 file(s)  12.3 MB/s  Running</c>; without an estimate the bar
    /// and percentage are left out. Ended runs show 100% when they succeeded.
    /// </summary>
    public static string Line(RunView run, long? estimate, TimeSpan elapsed)
    {
        var culture = CultureInfo.InvariantCulture;
        var rate = elapsed.TotalSeconds > 0 ? run.BytesScanned / 1e6 / elapsed.TotalSeconds : 0;
        var rows = run.ObjectsScanned.ToString("N0", culture);
        var tail = $"{run.FilesWritten} file(s)  {rate.ToString("0.0", culture)} MB/s  {run.State}";
        if (estimate is not > 0 && run.State != "Succeeded")
        {
            return $"{rows} rows scanned  {tail}";
        }

        var total = Math.Max(estimate ?? run.ObjectsScanned, 1);
        var fraction = run.State == "Succeeded" ? 1.0 : Math.Min((double)run.ObjectsScanned / total, 0.99);
        var filled = (int)Math.Round(fraction * BarWidth);
        var bar = new string('#', filled) + new string('.', BarWidth - filled);
        return $"[{bar}] {fraction * 100,3:0}%  {rows}/{(run.State == "Succeeded" ? run.ObjectsScanned : total).ToString("N0", culture)} rows  {tail}";
    }
}
