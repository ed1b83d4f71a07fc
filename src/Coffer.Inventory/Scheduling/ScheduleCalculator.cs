using Coffer.Model.Inventory;

namespace Coffer.Inventory.Scheduling;

/// <summary>When periodic runs come due, in UTC: daily at the time of day, weekly on the weekday, monthly on the date.</summary>
public sealed record ScheduleOptions
{
    public TimeOnly TimeOfDay { get; init; } = TimeOnly.MinValue;

    public DayOfWeek WeeklyDay { get; init; } = DayOfWeek.Sunday;
}

public static class ScheduleCalculator
{
    /// <summary>
    /// The first occurrence strictly after <paramref name="after"/>. A monthly date past the end of a month (the 31st in
    /// April, the 29th in a common February) falls on that month's last day.
    /// </summary>
    public static DateTimeOffset Next(InventorySchedule schedule, DateTimeOffset after, ScheduleOptions options)
    {
        var start = after.UtcDateTime;
        switch (schedule.Frequency)
        {
            case InventoryFrequency.Daily:
                {
                    var candidate = start.Date + options.TimeOfDay.ToTimeSpan();
                    return Utc(candidate > start ? candidate : candidate.AddDays(1));
                }

            case InventoryFrequency.Weekly:
                {
                    var candidate = start.Date + options.TimeOfDay.ToTimeSpan();
                    while (candidate.DayOfWeek != options.WeeklyDay || candidate <= start)
                    {
                        candidate = candidate.AddDays(1);
                    }

                    return Utc(candidate);
                }

            default:
                {
                    var day = schedule.MonthlyDate ?? 1;
                    var month = new DateTime(start.Year, start.Month, 1, 0, 0, 0, DateTimeKind.Utc);
                    while (true)
                    {
                        var candidate = month.AddDays(Math.Min(day, DateTime.DaysInMonth(month.Year, month.Month)) - 1) + options.TimeOfDay.ToTimeSpan();
                        if (candidate > start)
                        {
                            return Utc(candidate);
                        }

                        month = month.AddMonths(1);
                    }
                }
        }
    }

    /// <summary>The latest occurrence after <paramref name="anchor"/> that is not after <paramref name="now"/>; null when none is due.</summary>
    public static DateTimeOffset? LatestDue(InventorySchedule schedule, DateTimeOffset anchor, DateTimeOffset now, ScheduleOptions options)
    {
        DateTimeOffset? due = null;
        for (var next = Next(schedule, anchor, options); next <= now; next = Next(schedule, next, options))
        {
            due = next;
        }

        return due;
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
