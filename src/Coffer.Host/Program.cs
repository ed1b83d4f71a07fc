using System.CommandLine.Parsing;
using Coffer.Cli;
using Coffer.Host;

var parse = CofferCommands.Build().Parse(args);
if (parse.Errors.Count > 0)
{
    // A mistake in the command is exit code 2 in one line each, as the commands' own checks answer it, not the parser's
    // default (the whole help and exit code 1, which means a run that failed).
    var path = new List<string>();
    for (var command = parse.CommandResult; command.Parent is CommandResult parent; command = parent)
    {
        path.Insert(0, command.Command.Name);
    }

    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync($"coffer: {error.Message.ReplaceLineEndings(" ")} (coffer {string.Join(' ', [.. path, "--help"])} lists the options)");
    }

    return ExitCodes.Usage;
}

return await parse.InvokeAsync();
