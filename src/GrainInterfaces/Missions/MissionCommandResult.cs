namespace Missions;

/// <summary>What a cancel or retry did, in words for the person.</summary>
[GenerateSerializer, Immutable, Alias("missions.MissionCommandResult")]
public sealed record MissionCommandResult
{
    [Id(0)] public required string MissionId { get; init; }

    /// <summary>False when the command did not apply (unknown mission, already finished, not retryable).</summary>
    [Id(1)] public required bool Accepted { get; init; }

    /// <summary>The mission's status after the command (null when the mission does not exist).</summary>
    [Id(2)] public MissionStatus? Status { get; init; }

    [Id(3)] public required string Message { get; init; }
}
