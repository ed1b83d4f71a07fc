namespace Coffer.Server.Tests;

/// <summary>
/// The warm-ups' tests share the process's warm-up folders, and each warm-up counts the methods the whole process
/// compiles and keeps both cores busy: they run one at a time, with no other test beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WarmUpCollection
{
    public const string Name = "warm-up folders";
}
