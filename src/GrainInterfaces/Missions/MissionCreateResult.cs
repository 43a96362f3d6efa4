namespace Missions;

/// <summary>The answer to <see cref="IMissionGrain.CreateAsync"/>.</summary>
[GenerateSerializer, Immutable, Alias("missions.MissionCreateResult")]
public sealed record MissionCreateResult
{
    [Id(0)] public required string MissionId { get; init; }
    [Id(1)] public required MissionStatus Status { get; init; }

    /// <summary>False when the mission already existed (the same request was sent again).</summary>
    [Id(2)] public required bool Created { get; init; }
}
