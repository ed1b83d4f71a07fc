using Coffer.Inventory.Scheduling;
using Coffer.Model.Inventory;

namespace Coffer.Inventory.Tests;

public class ScheduleCalculatorTests
{
    private static readonly ScheduleOptions TwoAm = new() { TimeOfDay = new TimeOnly(2, 0), WeeklyDay = DayOfWeek.Monday };

    [Theory]
    [InlineData("2026-11-22T01:00:00Z", "2026-11-22T02:00:00Z")]
    [InlineData("2026-11-22T02:00:00Z", "2026-11-23T02:00:00Z")]
    [InlineData("2026-12-31T23:00:00Z", "2027-01-01T02:00:00Z")]
    public void Next_Daily_IsTheNextTimeOfDay(string after, string expected)
    {
        Next(InventoryFrequency.Daily, null, after).Should().Be(DateTimeOffset.Parse(expected));
    }

    [Theory]
    [InlineData("2026-11-22T10:00:00Z", "2026-11-23T02:00:00Z")] // a Sunday: next Monday
    [InlineData("2026-11-23T02:00:00Z", "2026-11-30T02:00:00Z")] // exactly on time: a week later
    [InlineData("2026-11-23T01:59:59Z", "2026-11-23T02:00:00Z")]
    public void Next_Weekly_IsTheNextWeekdayAtTheTimeOfDay(string after, string expected)
    {
        Next(InventoryFrequency.Weekly, null, after).Should().Be(DateTimeOffset.Parse(expected));
    }

    [Theory]
    [InlineData(31, "2026-01-31T02:00:00Z", "2026-02-28T02:00:00Z")] // February has no 31st: its last day
    [InlineData(31, "2026-02-28T02:00:00Z", "2026-03-31T02:00:00Z")]
    [InlineData(31, "2026-03-31T02:00:00Z", "2026-04-30T02:00:00Z")]
    [InlineData(29, "2028-01-29T02:00:00Z", "2028-02-29T02:00:00Z")] // a leap year has the 29th
    [InlineData(15, "2026-12-20T00:00:00Z", "2027-01-15T02:00:00Z")]
    [InlineData(null, "2026-11-01T02:00:00Z", "2026-12-01T02:00:00Z")] // no date: the first
    public void Next_Monthly_FallsOnTheDateOrTheMonthsLastDay(int? day, string after, string expected)
    {
        Next(InventoryFrequency.Monthly, day, after).Should().Be(DateTimeOffset.Parse(expected));
    }

    [Fact]
    public void LatestDue_SkipsMissedOccurrences_AndIsNullWhenNothingIsDue()
    {
        var daily = new InventorySchedule(InventoryFrequency.Daily, null);
        var anchor = DateTimeOffset.Parse("2026-11-01T00:00:00Z");
        ScheduleCalculator.LatestDue(daily, anchor, DateTimeOffset.Parse("2026-11-05T03:00:00Z"), TwoAm)
            .Should().Be(DateTimeOffset.Parse("2026-11-05T02:00:00Z"));
        ScheduleCalculator.LatestDue(daily, anchor, DateTimeOffset.Parse("2026-11-01T01:00:00Z"), TwoAm).Should().BeNull();
    }

    private static DateTimeOffset Next(InventoryFrequency frequency, int? day, string after) =>
        ScheduleCalculator.Next(new InventorySchedule(frequency, day), DateTimeOffset.Parse(after), TwoAm);
}
