namespace Missions;

/// <summary>A proposal changed before its approval ("make it 10 pages"): its constraints, start pages and priority as they are now.</summary>
[GenerateSerializer, Immutable, Alias("missions.MissionRevised")]
public sealed record MissionRevised : MissionEvent
{
    public const string EventType = "mission_revised";

    [Id(0)] public required MissionConstraints Constraints { get; init; }

    [Id(1)] public IReadOnlyList<string> StartUrls { get; init; } = [];

    [Id(2)] public MissionPriority Priority { get; init; } = MissionPriority.Normal;

    /// <summary>The message that asked for the change.</summary>
    [Id(3)] public required string SourceMessage { get; init; }
}
