using System.Diagnostics;
using System.Runtime;

namespace Coffer.Composition;

/// <summary>
/// What the start-up warm-ups share: their throw-away data folders (named so that a folder left by a killed process is
/// found and removed), and waiting for tiered compilation to finish the compiles a pass set off.
/// </summary>
public static class WarmUpSupport
{
    /// <summary>
    /// The temporary data folders' names start with this, then the process id: a folder left by a process killed during
    /// its warm-up is removed by the next warm-up on the machine.
    /// </summary>
    public static string FolderPrefix { get; } = Path.Combine(Path.GetTempPath(), "coffer-warm-up-");

    /// <summary>A fresh folder name of this process under <see cref="FolderPrefix"/> (not created), after removing dead processes' folders.</summary>
    public static string NewFolder()
    {
        RemoveLeftovers();
        return $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}";
    }

    /// <summary>
    /// Deletes <paramref name="folder"/> and what is in it, if it exists, trying once more after a failure (a file still
    /// closing); a folder that cannot be deleted is left for the next warm-up's <see cref="RemoveLeftovers"/> rather than
    /// replacing the warm-up's own outcome with an error.
    /// </summary>
    public static void DeleteFolder(string folder)
    {
        for (var attempt = 1; attempt <= 2 && Directory.Exists(folder); attempt++)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception error) when ((error is IOException or UnauthorizedAccessException) && attempt == 1)
            {
                Thread.Sleep(100);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Left for RemoveLeftovers.
            }
        }
    }

    /// <summary>Deletes the warm-up folders of processes that no longer run.</summary>
    private static void RemoveLeftovers()
    {
        var prefix = Path.GetFileName(FolderPrefix);
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), prefix + "*"))
        {
            var name = Path.GetFileName(folder)[prefix.Length..];
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(name[..dash], out var processId) && !IsRunning(processId))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException)
                {
                    // Another warm-up removed it first, or it is not ours to remove.
                }
            }
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// A pass that, with the compiles it set off, compiles fewer methods than this has found tiering settled: the
    /// code it runs is optimised.
    /// </summary>
    public const int SettledMethods = 25;

    /// <summary>
    /// Runs <paramref name="pass"/> (given its number, from 1) again and again, waiting for tiering after each, until a
    /// pass compiles fewer than <see cref="SettledMethods"/> methods or <paramref name="maxPasses"/> have run; returns
    /// how many ran. With tiered compilation a method runs unoptimised until it has been called 30 times, then
    /// instrumented, then optimised with what the instrumentation saw, each step compiled in the background once calls
    /// have been counted.
    /// </summary>
    public static Task<int> RepeatUntilSettledAsync(int maxPasses, Func<int, Task> pass, CancellationToken cancellationToken) =>
        RepeatUntilSettledAsync(maxPasses, pass, () => JitInfo.GetCompiledMethodCount(), TieringSettledAsync, cancellationToken);

    /// <summary>
    /// The loop of the public overload, with the runtime's count of compiled methods and the wait for tiering given:
    /// whether a process's code is already optimised depends on what ran in it before, so tests give both.
    /// </summary>
    internal static async Task<int> RepeatUntilSettledAsync(
        int maxPasses,
        Func<int, Task> pass,
        Func<long> compiledMethodCount,
        Func<CancellationToken, Task> tieringSettled,
        CancellationToken cancellationToken)
    {
        var passes = 0;
        while (passes < maxPasses)
        {
            passes++;
            var compiledBefore = compiledMethodCount();
            await pass(passes);
            await tieringSettled(cancellationToken);
            if (compiledMethodCount() - compiledBefore < SettledMethods)
            {
                break;
            }
        }

        return passes;
    }

    /// <summary>
    /// Waits until no method has been compiled for a few tenths of a second (at most a few seconds: a server serving
    /// requests meanwhile compiles code of its own): the runtime starts counting calls only once no new method has been
    /// compiled for 100 ms, and compiles the methods that reached their count on a background thread.
    /// </summary>
    public static async Task TieringSettledAsync(CancellationToken cancellationToken)
    {
        var compiled = JitInfo.GetCompiledMethodCount();
        for (var (quiet, waits) = (0, 0); quiet < 3 && waits < 30; waits++)
        {
            await Task.Delay(100, cancellationToken);
            var now = JitInfo.GetCompiledMethodCount();
            quiet = now == compiled ? quiet + 1 : 0;
            compiled = now;
        }
    }
}
