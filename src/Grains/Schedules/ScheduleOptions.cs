namespace Missions.Schedules;

/// <summary>Recurring missions (<c>Missions:Schedules</c>).</summary>
public sealed class ScheduleOptions
{
    public const string Section = "Missions:Schedules";

    /// <summary>The shortest period a schedule may have (default 1 minute, Orleans' shortest reminder period).</summary>
    public double MinimumPeriodSeconds { get; set; } = 60;

    public TimeSpan MinimumPeriod => TimeSpan.FromSeconds(Math.Max(0.5, MinimumPeriodSeconds));
}
