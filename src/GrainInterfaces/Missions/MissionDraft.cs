namespace Missions;

/// <summary>A mission as the chat proposes it, before it exists.</summary>
[GenerateSerializer, Immutable, Alias("missions.MissionDraft")]
public sealed record MissionDraft
{
    [Id(0)] public required string SessionId { get; init; }
    [Id(1)] public required Objective Objective { get; init; }
    [Id(2)] public required MissionConstraints Constraints { get; init; }
    [Id(3)] public IReadOnlyList<string> StartUrls { get; init; } = [];
    [Id(4)] public required string SourceMessage { get; init; }
    [Id(5)] public string? ClientMessageId { get; init; }
    [Id(6)] public MissionPriority Priority { get; init; } = MissionPriority.Normal;

    /// <summary>Created <c>proposed</c>: it waits for a person's approval before it is queued.</summary>
    [Id(7)] public bool RequiresApproval { get; init; }

    /// <summary>Made by this schedule's firing.</summary>
    [Id(8)] public string? ScheduleId { get; init; }

    /// <summary>The person it will belong to.</summary>
    [Id(9)] public string Owner { get; init; } = Owners.Local;
}
