using System.Reflection;

namespace Coffer.Host.Tests;

/// <summary>Dependencies point one way: Host → {Cli, Server}; Cli → {Inventory, Protocol}; Server → {Inventory, Protocol, Model}; Inventory → Model → Storage → Common; Protocol → Common.</summary>
public class ArchitectureTests
{
    public static TheoryData<string, string[]> AllowedReferences => new()
    {
        { "Coffer.Common", [] },
        { "Coffer.Storage", ["Coffer.Common"] },
        { "Coffer.Model", ["Coffer.Storage", "Coffer.Common"] },
        { "Coffer.Protocol", ["Coffer.Common"] },
        { "Coffer.Inventory", ["Coffer.Model", "Coffer.Common"] },
        { "Coffer.Server", ["Coffer.Inventory", "Coffer.Model", "Coffer.Protocol", "Coffer.Storage", "Coffer.Common"] },
        { "Coffer.Cli", ["Coffer.Inventory", "Coffer.Protocol", "Coffer.Common"] },
        { "Coffer.WebConsole", ["Coffer.Server", "Coffer.Inventory", "Coffer.Model", "Coffer.Protocol", "Coffer.Common"] },
        { "coffer", ["Coffer.Cli", "Coffer.WebConsole", "Coffer.Server", "Coffer.Inventory", "Coffer.Protocol", "Coffer.Model", "Coffer.Storage", "Coffer.Common"] },
    };

    [Theory]
    [MemberData(nameof(AllowedReferences))]
    public void Project_ReferencesOnlyProjectsBelowIt(string assembly, string[] allowed)
    {
        var references = Assembly.Load(assembly).GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => name.StartsWith("Coffer", StringComparison.Ordinal) || name == "coffer");
        references.Should().BeSubsetOf(allowed);
    }
}
