namespace Missions.Schedules;

/// <summary>A schedule's next firing and its view, from its fold: the grain, the chat and the page agree.</summary>
public static class ScheduleViews
{
    /// <summary>The next occurrence to fire: after the last firing's, and after a resume (a paused schedule does not catch up).</summary>
    public static DateTime? NextDue(ScheduleState state)
    {
        if (state.Definition is not { } definition || state.Paused || state.Deleted)
        {
            return null;
        }
        var anchor = definition.Timestamp;
        var after = state.LastDue is { } due && due > anchor ? due : anchor;
        if (state.ResumedAt is { } resumed && resumed > after)
        {
            after = resumed;
        }
        try
        {
            return Cadence.FromDefinition(definition).NextAfter(after, anchor);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null; // past the calendar (a schedule kept before cadences were bounded): it never fires again
        }
    }

    public static string StatusOf(ScheduleState state) => state.Deleted ? "deleted" : state.Paused ? "paused" : "active";

    /// <summary>The view; <paramref name="statusOf"/> gives each recent run's status (null when it is not in the log yet).</summary>
    public static ScheduleView From(string scheduleId, ScheduleState state, Func<string, MissionStatus?> statusOf, bool withSession)
    {
        var d = state.Definition!;
        return new ScheduleView
        {
            ScheduleId = scheduleId,
            SessionId = withSession ? d.SessionId : null,
            Cadence = d.Cadence,
            EverySeconds = d.EverySeconds,
            Cron = d.Cron,
            Objective = d.Objective,
            Constraints = d.Constraints,
            Status = StatusOf(state),
            NextRun = NextDue(state),
            CreatedAt = d.Timestamp,
            LastRun = state.LastFiredAt,
            Runs = state.Runs,
            Skipped = state.Skipped,
            RecentRuns = [.. state.RecentMissions.AsEnumerable().Reverse().Select(id => new ScheduleRun(id, statusOf(id)))],
            LastChange = state.LastChange?.Summary,
            LastChangeAt = state.LastChange?.Timestamp,
        };
    }
}
