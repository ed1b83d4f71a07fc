using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Coffer.Server.Accounts;
using Coffer.Testing;

namespace Coffer.Host.Tests;

/// <summary>The <c>coffer</c> executable as a child process, started with <c>coffer serve</c> (on a free loopback port unless a test asks otherwise).</summary>
public sealed partial class CofferProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CofferProcess(Process process)
    {
        _process = process;
    }

    public Uri BaseAddress => _listening.Task.Result;

    /// <summary>The web console's address, as the start-up summary printed it (null when it is off).</summary>
    public Uri? ConsoleAddress { get; private set; }

    public int ProcessId => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>coffer serve --data <paramref name="dataDirectory"/></c>, with the test owner as root account unless told otherwise.</summary>
    public static Task<CofferProcess> StartAsync(string dataDirectory, bool withRootAccount = true, params string[] extraArguments) =>
        StartAsync(["--data", dataDirectory, "--listen", "127.0.0.1:0", .. extraArguments.Contains("--console") ? [] : new[] { "--console", "127.0.0.1:0" },
            .. extraArguments], Environment.CurrentDirectory, withRootAccount);

    /// <summary>
    /// Starts <c>coffer serve</c> with exactly <paramref name="arguments"/>, in <paramref name="workingDirectory"/>, with
    /// <paramref name="environment"/> added to this process's environment.
    /// </summary>
    public static async Task<CofferProcess> StartAsync(
        IEnumerable<string> arguments, string workingDirectory, bool withRootAccount = true, IReadOnlyDictionary<string, string>? environment = null)
    {
        var instance = Launch(arguments, workingDirectory, withRootAccount, environment);
        await instance._listening.Task.WaitAsync(StartTimeout);
        return instance;
    }

    /// <summary>
    /// Starts <c>coffer serve</c> with exactly <paramref name="arguments"/> and returns at once, for a test that acts on
    /// the process before it listens (or instead of it); <see cref="BaseAddress"/> waits for it.
    /// </summary>
    public static CofferProcess Launch(
        IEnumerable<string> arguments, string workingDirectory, bool withRootAccount = true, IReadOnlyDictionary<string, string>? environment = null)
    {
        var coffer = Path.Combine(AppContext.BaseDirectory, "coffer.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in new[] { coffer, "serve" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { AccountSources.AppIdVariable, AccountSources.SecretIdVariable, AccountSources.SecretKeyVariable, AccountSources.UinVariable })
        {
            start.Environment.Remove(name);
        }

        if (withRootAccount)
        {
            start.Environment[AccountSources.AppIdVariable] = TestAccounts.Owner.AppId;
            start.Environment[AccountSources.SecretIdVariable] = TestAccounts.Owner.SecretId;
            start.Environment[AccountSources.SecretKeyVariable] = TestAccounts.Owner.SecretKey;
            start.Environment[AccountSources.UinVariable] = TestAccounts.Owner.Uin;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var instance = new CofferProcess(process);
        process.OutputDataReceived += (_, e) => instance.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => instance.OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            // Exited can come before the last redirected lines are read; this WaitForExit returns once they have been.
            process.WaitForExit();
            instance._listening.TrySetException(new InvalidOperationException("coffer exited before listening:\n" + instance.Output));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return instance;
    }

    /// <summary>Runs <c>coffer &lt;arguments&gt;</c> to its end with the test owner as root account; its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(params string[] arguments)
    {
        var (exitCode, output, error) = await RunAsync(arguments, new Dictionary<string, string>());
        return (exitCode, output + error);
    }

    /// <summary>Runs <c>coffer &lt;arguments&gt;</c> with extra environment variables; its exit code, standard output and standard error apart.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "coffer.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[AccountSources.AppIdVariable] = TestAccounts.Owner.AppId;
        start.Environment[AccountSources.SecretIdVariable] = TestAccounts.Owner.SecretId;
        start.Environment[AccountSources.SecretKeyVariable] = TestAccounts.Owner.SecretKey;
        start.Environment[AccountSources.UinVariable] = TestAccounts.Owner.Uin;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            // A command that should have ended (a serve that should have refused to start) must not outlive the test.
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary>The peak resident set size of the process so far (VmHWM), in bytes.</summary>
    public long PeakResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>Sets the peak resident set (<c>VmHWM</c>) back to what the process holds now (Linux's clear_refs 5).</summary>
    public void ResetPeakResidentBytes() => File.WriteAllText($"/proc/{_process.Id}/clear_refs", "5");

    public bool HasExited => _process.HasExited;

    /// <summary>Waits at most <paramref name="limit"/> for the process to end, with all its output read; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        await _process.WaitForExitAsync().WaitAsync(limit);
        return _process.ExitCode;
    }

    /// <summary>Sends a signal to the process (STOP pauses it where it is, CONT resumes it).</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {_process.Id}");
        kill.WaitForExit();
        kill.ExitCode.Should().Be(0);
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or power cut of the process.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ConsoleLine().Match(line) is { Success: true } console)
        {
            ConsoleAddress = new Uri(console.Groups[1].Value + "/");
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value + "/"));
        }
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"^  console +(http://\S+)")]
    private static partial Regex ConsoleLine();
}
