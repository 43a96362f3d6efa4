namespace Missions;

/// <summary>The fold of a schedule's lines: the grain and the page fold them the same way.</summary>
[GenerateSerializer, Alias("missions.ScheduleState")]
public sealed class ScheduleState : IEventFold<MissionEvent>
{
    /// <summary>How many recent firings are kept in the fold (the log keeps them all).</summary>
    public const int RecentRuns = 20;

    [Id(0)] public ScheduleCreated? Definition { get; set; }
    [Id(1)] public bool Paused { get; set; }
    [Id(2)] public bool Deleted { get; set; }
    [Id(3)] public int Version { get; set; }

    /// <summary>Firings that made a mission (each is numbered: its mission id follows from the number).</summary>
    [Id(4)] public int Runs { get; set; }

    /// <summary>Firings skipped (the previous run was still going).</summary>
    [Id(5)] public int Skipped { get; set; }

    /// <summary>The occurrence the last firing (made or skipped) was for.</summary>
    [Id(6)] public DateTime? LastDue { get; set; }

    [Id(7)] public DateTime? LastFiredAt { get; set; }

    /// <summary>The newest firings' missions, oldest first.</summary>
    [Id(8)] public List<string> RecentMissions { get; set; } = [];

    /// <summary>The last run compared: what the next one is compared with.</summary>
    [Id(9)] public ScheduleRunCompared? LastCompared { get; set; }

    /// <summary>The last completed run compared (the baseline of "what changed").</summary>
    [Id(10)] public ScheduleRunCompared? LastCompleted { get; set; }

    [Id(11)] public ScheduleRunCompared? LastChange { get; set; }

    /// <summary>When it was last resumed: a resumed schedule fires at its next occurrence, not for the ones it was paused through.</summary>
    [Id(12)] public DateTime? ResumedAt { get; set; }

    public bool Exists => Definition is not null;

    public string? LastMissionId => RecentMissions.Count > 0 ? RecentMissions[^1] : null;

    public void Apply(MissionEvent e)
    {
        switch (e)
        {
            case ScheduleCreated created:
                Definition = created;
                break;
            case ScheduleFired fired:
                LastDue = fired.Due;
                LastFiredAt = fired.Timestamp;
                if (fired.RunMissionId is { } missionId)
                {
                    Runs++;
                    RecentMissions.Add(missionId);
                    if (RecentMissions.Count > RecentRuns)
                    {
                        RecentMissions.RemoveAt(0);
                    }
                }
                else
                {
                    Skipped++;
                }
                break;
            case ScheduleStateChanged changed:
                Paused = changed.Change == ScheduleStateChanged.Paused || (Paused && changed.Change != ScheduleStateChanged.Resumed);
                Deleted |= changed.Change == ScheduleStateChanged.Deleted;
                if (changed.Change == ScheduleStateChanged.Resumed)
                {
                    ResumedAt = changed.Timestamp;
                }
                break;
            case ScheduleRunCompared compared:
                LastCompared = compared;
                if (compared.Status == MissionStatus.Completed)
                {
                    LastCompleted = compared;
                }
                if (compared.Changed)
                {
                    LastChange = compared;
                }
                break;
        }
        Version++;
    }

    public static ScheduleState Fold(IEnumerable<MissionEvent> events) => EventFold.Of<ScheduleState, MissionEvent>(events);
}

/// <summary>A schedule as the page and the API show it.</summary>
[GenerateSerializer, Immutable, Alias("missions.ScheduleView")]
public sealed record ScheduleView
{
    [Id(0)] public required string ScheduleId { get; init; }

    /// <summary>Only to the session that made it (a session id is a capability).</summary>
    [Id(1)] public string? SessionId { get; init; }

    [Id(2)] public required string Cadence { get; init; }
    [Id(3)] public long? EverySeconds { get; init; }
    [Id(4)] public string? Cron { get; init; }
    [Id(5)] public required Objective Objective { get; init; }
    [Id(6)] public required MissionConstraints Constraints { get; init; }

    /// <summary><c>active</c>, <c>paused</c> or <c>deleted</c>.</summary>
    [Id(7)] public required string Status { get; init; }

    /// <summary>When it fires next (null when paused or deleted).</summary>
    [Id(8)] public DateTime? NextRun { get; init; }

    [Id(9)] public required DateTime CreatedAt { get; init; }
    [Id(10)] public DateTime? LastRun { get; init; }
    [Id(11)] public int Runs { get; init; }
    [Id(12)] public int Skipped { get; init; }

    /// <summary>The newest runs' missions, newest first, with their statuses.</summary>
    [Id(13)] public IReadOnlyList<ScheduleRun> RecentRuns { get; init; } = [];

    /// <summary>The last change seen, in words, and when.</summary>
    [Id(14)] public string? LastChange { get; init; }
    [Id(15)] public DateTime? LastChangeAt { get; init; }
}

[GenerateSerializer, Immutable, Alias("missions.ScheduleRun")]
public sealed record ScheduleRun(
    [property: Id(0)] string MissionId,
    [property: Id(1)] MissionStatus? Status);

/// <summary>What a pause, resume or delete did, in words.</summary>
[GenerateSerializer, Immutable, Alias("missions.ScheduleCommandResult")]
public sealed record ScheduleCommandResult
{
    [Id(0)] public required string ScheduleId { get; init; }

    /// <summary>False when it did not apply; <see cref="Exists"/> tells an unknown schedule from one in the wrong state.</summary>
    [Id(1)] public required bool Accepted { get; init; }
    [Id(2)] public required bool Exists { get; init; }
    [Id(3)] public required string Message { get; init; }
    [Id(4)] public DateTime? NextRun { get; init; }
}
