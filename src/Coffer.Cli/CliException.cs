namespace Coffer.Cli;

/// <summary>The exit codes of coffer's client commands (docs/cli.md lists them).</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command worked, the outcome did not: a run that failed.</summary>
    public const int Failed = 1;

    /// <summary>A mistake in the command: a missing or malformed option, a file that cannot be read, no credentials.</summary>
    public const int Usage = 2;

    /// <summary>The server refused the request (its error code is printed).</summary>
    public const int Refused = 3;

    /// <summary>No server answered at the endpoint, or it did not answer in time.</summary>
    public const int Unreachable = 4;
}

/// <summary>A failure the command explains in one line and ends with <see cref="ExitCode"/>; never a stack trace.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
