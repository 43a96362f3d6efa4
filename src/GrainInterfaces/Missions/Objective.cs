namespace Missions;

/// <summary>What the mission is to achieve: a type that selects the executor, and the person's words.</summary>
[GenerateSerializer, Immutable, Alias("missions.Objective")]
public sealed record Objective
{
    [Id(0)] public required string Type { get; init; }
    [Id(1)] public required string Description { get; init; }
}
