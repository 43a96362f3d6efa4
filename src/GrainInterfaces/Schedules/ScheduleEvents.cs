namespace Missions;

/// <summary>
/// One change of a schedule. A schedule is a stream of the mission log of its own (ids <c>sch-…</c>, see
/// <see cref="ScheduleIds"/>): its lines are written, mirrored and read as a mission's are, so a schedule is as durable
/// as the missions it makes. <see cref="MissionEvent.MissionId"/> holds the schedule's id.
/// </summary>
[GenerateSerializer, Immutable, Alias("missions.ScheduleEvent")]
public abstract record ScheduleEvent : MissionEvent
{
    /// <summary>The schedule's id (<c>sch-…</c>): a schedule's stream is kept beside the missions', so on the line it is <c>mission_id</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string ScheduleId => MissionId;
}

/// <summary>The schedule exists: when it fires, and the mission it makes each time.</summary>
[GenerateSerializer, Immutable, Alias("missions.ScheduleCreated")]
public sealed record ScheduleCreated : ScheduleEvent
{
    public const string EventType = "schedule_created";

    [Id(0)] public required string SessionId { get; init; }

    /// <summary>How the person said it ("every hour", "every day at 09:00 UTC", "cron */15 * * * *").</summary>
    [Id(1)] public required string Cadence { get; init; }

    /// <summary>A fixed period in seconds (anchored at the creation), or null for <see cref="Cron"/>.</summary>
    [Id(2)] public long? EverySeconds { get; init; }

    /// <summary>A cron expression (five fields, UTC), or null for <see cref="EverySeconds"/>.</summary>
    [Id(3)] public string? Cron { get; init; }

    [Id(4)] public required Objective Objective { get; init; }
    [Id(5)] public required MissionConstraints Constraints { get; init; }
    [Id(6)] public IReadOnlyList<string> StartUrls { get; init; } = [];
    [Id(7)] public MissionPriority Priority { get; init; } = MissionPriority.Normal;
    [Id(8)] public required string SourceMessage { get; init; }

    /// <summary>The person it belongs to (<see cref="Owners"/>); its runs are theirs too. None on lines written before owners were recorded.</summary>
    [Id(9)] public string? Owner { get; init; }
}

/// <summary>A firing: the mission it made, or why it made none (<see cref="Skipped"/>).</summary>
[GenerateSerializer, Immutable, Alias("missions.ScheduleFired")]
public sealed record ScheduleFired : ScheduleEvent
{
    public const string EventType = "schedule_fired";

    /// <summary>The occurrence this firing is for (a firing missed while the process was down is run once, late).</summary>
    [Id(0)] public required DateTime Due { get; init; }

    /// <summary>The mission made, or null when the firing was skipped.</summary>
    [Id(1)] public string? RunMissionId { get; init; }

    /// <summary>Why it made no mission (the previous run still going).</summary>
    [Id(2)] public string? Skipped { get; init; }
}

/// <summary>Paused, resumed or deleted, by a person in the chat or through the API.</summary>
[GenerateSerializer, Immutable, Alias("missions.ScheduleStateChanged")]
public sealed record ScheduleStateChanged : ScheduleEvent
{
    public const string EventType = "schedule_state_changed";

    public const string Paused = "paused", Resumed = "resumed", Deleted = "deleted";

    [Id(0)] public required string Change { get; init; }
    [Id(1)] public required string Via { get; init; }

    /// <summary>Who changed it (<see cref="Owners"/>).</summary>
    [Id(2)] public string? By { get; init; }
}

/// <summary>A run's result set beside the previous run's: what the next run is compared with, and what changed.</summary>
[GenerateSerializer, Immutable, Alias("missions.ScheduleRunCompared")]
public sealed record ScheduleRunCompared : ScheduleEvent
{
    public const string EventType = "schedule_run_compared";

    [Id(0)] public required string RunMissionId { get; init; }
    [Id(1)] public required MissionStatus Status { get; init; }

    /// <summary>True when the answer or its sources differ from the previous completed run's (and on the first).</summary>
    [Id(2)] public required bool Changed { get; init; }

    /// <summary>What changed, in words (empty when nothing did).</summary>
    [Id(3)] public string Summary { get; init; } = "";

    /// <summary>The run's answer (at most 4,000 characters) and source URLs: the next run is compared with these.</summary>
    [Id(4)] public string Answer { get; init; } = "";
    [Id(5)] public IReadOnlyList<string> Sources { get; init; } = [];
}

public static class ScheduleIds
{
    public const string Prefix = "sch-";

    /// <summary>A new schedule id: "sch-" and 16 hex digits (a mission id never has a '-', so the two never meet).</summary>
    public static string New() => Prefix + Guid.NewGuid().ToString("N")[..16];

    public static bool IsSchedule(string id) => id.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The schedule a chat message sets: the same for the same message sent again (its client message id), keyed as <see cref="Ids.MissionIdFor"/>.</summary>
    public static string For(ReadOnlySpan<byte> key, string sessionId, string clientMessageId) => Prefix + Ids.Keyed(key, "schedule", sessionId, clientMessageId, 8);

    /// <summary>
    /// The mission a firing makes: the same for the same firing, so a firing re-done after a crash makes no second one.
    /// It starts with 'f' and is made from no client input: a client's idempotent ids start with 'c' (<see cref="Ids.MissionIdFor"/>).
    /// </summary>
    public static string RunMissionId(string scheduleId, int firing) =>
        "f" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("firing\n" + scheduleId + "\n" + firing)).AsSpan(0, 15));
}
