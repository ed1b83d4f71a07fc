using Coffer.Model.Inventory;

namespace Coffer.Inventory.Tests;

/// <summary>The scheduler over a real store, driven by a manual clock: months pass in milliseconds, nothing sleeps.</summary>
public sealed class InventorySchedulerTests : IDisposable
{
    private readonly InventoryFixture _fixture = new();

    [Fact]
    public async Task DailyWeeklyAndMonthly_RunOnTheirDays_AcrossMonthEnds()
    {
        _fixture.Time.Set(new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero));
        await _fixture.CreateBucketsAsync();
        await _fixture.PutAsync("k", "v");
        await _fixture.Configurations.PutAsync(InventoryFixture.Source, InventoryFixture.Configuration("daily"));
        await _fixture.Configurations.PutAsync(InventoryFixture.Source,
            InventoryFixture.Configuration("weekly", schedule: new InventorySchedule(InventoryFrequency.Weekly, null)));
        await _fixture.Configurations.PutAsync(InventoryFixture.Source,
            InventoryFixture.Configuration("monthly", schedule: new InventorySchedule(InventoryFrequency.Monthly, 31)));

        // Ten weeks, one hour at a time: tick the scheduler and run what it queued, as the server's loop does.
        var end = new DateTimeOffset(2026, 3, 21, 0, 0, 0, TimeSpan.Zero);
        while (_fixture.Time.GetUtcNow() < end)
        {
            _fixture.Time.Advance(TimeSpan.FromHours(1));
            await _fixture.Scheduler.TickAsync();
            await _fixture.Runner.RunPendingAsync();
        }

        DueDates("daily").Should().HaveCount(69).And.StartWith(At(2026, 1, 11)).And.EndWith(At(2026, 3, 20));
        DueDates("weekly").Should().Equal(
            At(2026, 1, 12), At(2026, 1, 19), At(2026, 1, 26), At(2026, 2, 2), At(2026, 2, 9), At(2026, 2, 16), At(2026, 2, 23),
            At(2026, 3, 2), At(2026, 3, 9), At(2026, 3, 16));
        DueDates("monthly").Should().Equal(At(2026, 1, 31), At(2026, 2, 28));
        _fixture.Runs.List(InventoryFixture.Source, null, 1000).Should().OnlyContain(r => r.State == InventoryRunState.Succeeded);
    }

    [Fact]
    public async Task DisabledConfigurations_NeverRun()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.Configurations.PutAsync(InventoryFixture.Source, InventoryFixture.Configuration("off") with { IsEnabledText = "false" });
        _fixture.Time.Advance(TimeSpan.FromDays(10));
        (await _fixture.Scheduler.TickAsync()).Should().BeEmpty();
        _fixture.Runs.List(InventoryFixture.Source, null, 10).Should().BeEmpty();
    }

    [Fact]
    public async Task ARunThatWouldOverlapThePrevious_WaitsForIt_ThenTakesTheLatestOccurrence()
    {
        await _fixture.CreateBucketsAsync();
        await _fixture.Configurations.PutAsync(InventoryFixture.Source, InventoryFixture.Configuration("daily"));
        _fixture.Time.Set(new DateTimeOffset(2026, 11, 23, 3, 0, 0, TimeSpan.Zero));
        (await _fixture.Scheduler.TickAsync()).Should().ContainSingle().Which.QueuedAt.Should().Be(At(2026, 11, 23));

        // Three days pass while that run is still queued: nothing more is queued.
        _fixture.Time.Set(new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero));
        (await _fixture.Scheduler.TickAsync()).Should().BeEmpty();

        // Once it has run, the latest missed occurrence is queued, not the three in between.
        await _fixture.Runner.RunPendingAsync();
        (await _fixture.Scheduler.TickAsync()).Should().ContainSingle().Which.QueuedAt.Should().Be(At(2026, 11, 26));
    }

    public void Dispose() => _fixture.Dispose();

    private DateTimeOffset[] DueDates(string id) =>
        _fixture.Runs.List(InventoryFixture.Source, id, 1000).Select(r => r.QueuedAt).Order().ToArray();

    private static DateTimeOffset At(int year, int month, int day) => new(year, month, day, 2, 0, 0, TimeSpan.Zero);
}
