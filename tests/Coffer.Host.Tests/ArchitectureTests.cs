using System.Reflection;

namespace Coffer.Host.Tests;

/// <summary>
/// Dependencies point one way: Host → {Cli, WebConsole, Server}; Cli → {Inventory, Protocol}; WebConsole → Server;
/// Server → {Composition, Protocol}; Composition → {Inventory, Batch, the storage engines}; Inventory → Model → Storage → Common; Batch → Model;
/// each engine (Sqlite, Postgres) → Storage; Protocol → Common; Inventory → Reports, the report writers, which depend on no
/// Coffer project at all (typed column batches in, bytes out: nothing of the object model).
/// </summary>
public class ArchitectureTests
{
    public static TheoryData<string, string[]> AllowedReferences => new()
    {
        { "Coffer.Common", [] },
        { "Coffer.Storage", ["Coffer.Common"] },
        { "Coffer.Storage.Sqlite", ["Coffer.Storage", "Coffer.Common"] },
        { "Coffer.Storage.Postgres", ["Coffer.Storage", "Coffer.Common"] },
        { "Coffer.Model", ["Coffer.Storage", "Coffer.Common"] },
        { "Coffer.Protocol", ["Coffer.Common"] },
        { "Coffer.Reports", [] },
        { "Coffer.Inventory", ["Coffer.Model", "Coffer.Reports", "Coffer.Common"] },
        { "Coffer.Batch", ["Coffer.Model", "Coffer.Storage", "Coffer.Common"] },
        { "Coffer.Composition", ["Coffer.Inventory", "Coffer.Reports", "Coffer.Batch", "Coffer.Model", "Coffer.Storage", "Coffer.Storage.Sqlite", "Coffer.Storage.Postgres", "Coffer.Common"] },
        { "Coffer.Server", ["Coffer.Composition", "Coffer.Inventory", "Coffer.Reports", "Coffer.Batch", "Coffer.Model", "Coffer.Protocol", "Coffer.Storage", "Coffer.Common"] },
        { "Coffer.Cli", ["Coffer.Inventory", "Coffer.Reports", "Coffer.Protocol", "Coffer.Common"] },
        { "Coffer.WebConsole", ["Coffer.Server", "Coffer.Inventory", "Coffer.Reports", "Coffer.Model", "Coffer.Protocol", "Coffer.Common"] },
        { "coffer", ["Coffer.Cli", "Coffer.WebConsole", "Coffer.Server", "Coffer.Composition", "Coffer.Inventory", "Coffer.Reports", "Coffer.Batch", "Coffer.Protocol", "Coffer.Model", "Coffer.Storage", "Coffer.Common"] },
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
