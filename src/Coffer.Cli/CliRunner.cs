using System.CommandLine;
using System.Text.Json;
using System.Xml;

namespace Coffer.Cli;

/// <summary>Runs a client command: any failure it can explain is one line on standard error and its exit code.</summary>
public static class CliRunner
{
    public static async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (CliException error)
        {
            await Console.Error.WriteLineAsync($"coffer: {error.Message}");
            return error.ExitCode;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or JsonException or XmlException or FormatException)
        {
            await Console.Error.WriteLineAsync($"coffer: {error.Message}");
            return ExitCodes.Usage;
        }
    }

    /// <summary>Sets the action of <paramref name="command"/> to <paramref name="action"/>, run through <see cref="RunAsync"/>.</summary>
    public static void SetAction(Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction((parse, cancellationToken) => RunAsync(() => action(parse, cancellationToken)));
}
