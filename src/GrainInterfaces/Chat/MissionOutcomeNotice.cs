namespace Missions.Chat;

/// <summary>A mission ended: what its session is told.</summary>
[GenerateSerializer, Immutable, Alias("missions.MissionOutcomeNotice")]
public sealed record MissionOutcomeNotice
{
    [Id(0)] public required string MissionId { get; init; }
    [Id(1)] public required MissionStatus Status { get; init; }
    [Id(2)] public required int Attempt { get; init; }
    [Id(3)] public required string Text { get; init; }

    /// <summary>A schedule's run: the schedule (its notice may be sent again after a crash, and is written once).</summary>
    [Id(4)] public string? ScheduleId { get; init; }
}
