namespace Missions;

/// <summary>The mission exists: its objective, its constraints and the chat message it came from.</summary>
[GenerateSerializer, Immutable, Alias("missions.MissionCreated")]
public sealed record MissionCreated : MissionEvent
{
    public const string EventType = "mission_created";

    [Id(0)] public required string SessionId { get; init; }
    [Id(1)] public required Objective Objective { get; init; }
    [Id(2)] public required MissionConstraints Constraints { get; init; }
    [Id(3)] public IReadOnlyList<string> StartUrls { get; init; } = [];
    [Id(4)] public required string SourceMessage { get; init; }
    [Id(5)] public string? ClientMessageId { get; init; }
    [Id(6)] public MissionPriority Priority { get; init; } = MissionPriority.Normal;

    /// <summary>The W3C trace context of the chat request that created the mission: its runs are traced under it.</summary>
    [Id(7)] public string? TraceParent { get; init; }

    /// <summary>The schedule whose firing made this mission: its end goes to the schedule (compared with the last run) instead of the chat.</summary>
    [Id(8)] public string? ScheduleId { get; init; }

    /// <summary>The person it belongs to (<see cref="Owners"/>); none on lines written before owners were recorded.</summary>
    [Id(9)] public string? Owner { get; init; }
}
