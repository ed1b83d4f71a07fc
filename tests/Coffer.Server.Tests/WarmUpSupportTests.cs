using System.Reflection.Emit;
using Coffer.Composition;

namespace Coffer.Server.Tests;

/// <summary>
/// How the warm-ups decide to run another pass: while a pass, with the compiles it set off, still compiles many methods.
/// The compile counts are given, because what a test process has compiled before depends on the tests that ran first.
/// </summary>
public sealed class WarmUpSupportTests
{
    /// <summary>Compiles the given number of methods in each pass; passes past the list compile as many as its last.</summary>
    private sealed class FakeRuntime(params long[] compiledByPass)
    {
        public long Compiled { get; private set; }

        public List<int> Passes { get; } = [];

        public int Waits { get; private set; }

        public Task Pass(int number)
        {
            Passes.Add(number);
            Compiled += compiledByPass[Math.Min(number, compiledByPass.Length) - 1];
            return Task.CompletedTask;
        }

        public Task Settled(CancellationToken cancellationToken)
        {
            Waits++;
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task RepeatUntilSettledAsync_RunsAgain_WhileAPassCompilesManyMethods()
    {
        var runtime = new FakeRuntime(900, 140, WarmUpSupport.SettledMethods, WarmUpSupport.SettledMethods - 1);

        var passes = await WarmUpSupport.RepeatUntilSettledAsync(8, runtime.Pass, () => runtime.Compiled, runtime.Settled, CancellationToken.None);

        Assert.Equal(4, passes);
        Assert.Equal([1, 2, 3, 4], runtime.Passes);
        Assert.Equal(4, runtime.Waits);
    }

    [Fact]
    public async Task RepeatUntilSettledAsync_RunsOnce_WhenTheCodeIsOptimisedAlready()
    {
        var runtime = new FakeRuntime(3);

        var passes = await WarmUpSupport.RepeatUntilSettledAsync(8, runtime.Pass, () => runtime.Compiled, runtime.Settled, CancellationToken.None);

        Assert.Equal(1, passes);
    }

    [Fact]
    public async Task RepeatUntilSettledAsync_StopsAtTheMaximum_WhenCompilingNeverSettles()
    {
        var runtime = new FakeRuntime(500);

        var passes = await WarmUpSupport.RepeatUntilSettledAsync(6, runtime.Pass, () => runtime.Compiled, runtime.Settled, CancellationToken.None);

        Assert.Equal(6, passes);
        Assert.Equal(6, runtime.Waits);
    }

    [Fact]
    public async Task RepeatUntilSettledAsync_CountsTheCompilesAPassSetOff_WhileWaitingForTiering()
    {
        // The pass compiles nothing itself, but the background compiles it set off land during the wait.
        var compiled = 0L;
        var waits = 0;
        Task Settled(CancellationToken cancellationToken)
        {
            compiled += ++waits == 1 ? 200 : 0;
            return Task.CompletedTask;
        }

        var passes = await WarmUpSupport.RepeatUntilSettledAsync(8, _ => Task.CompletedTask, () => compiled, Settled, CancellationToken.None);

        Assert.Equal(2, passes);
    }

    [Fact]
    public async Task RepeatUntilSettledAsync_SeesTheRuntimesCompiles_WhenAPassRunsNewCode()
    {
        // Methods made in the first pass are compiled then, whatever this process ran before, so a second pass runs
        // (and, at most two, no more, however much other tests compile meanwhile).
        var passes = await WarmUpSupport.RepeatUntilSettledAsync(2, pass =>
        {
            if (pass == 1)
            {
                for (var i = 0; i < 2 * WarmUpSupport.SettledMethods; i++)
                {
                    Assert.Equal(i, NewMethodReturning(i)());
                }
            }

            return Task.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(2, passes);
    }

    private static Func<int> NewMethodReturning(int value)
    {
        var method = new DynamicMethod($"warm-up-test-{value}", typeof(int), Type.EmptyTypes);
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldc_I4, value);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Func<int>>();
    }
}
