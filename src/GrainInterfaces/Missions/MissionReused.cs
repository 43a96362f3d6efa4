namespace Missions;

/// <summary>A new request was answered from this finished mission's result instead of running again (a cache hit).</summary>
[GenerateSerializer, Immutable, Alias("missions.MissionReused")]
public sealed record MissionReused : MissionEvent
{
    public const string EventType = "mission_reused";

    [Id(0)] public required string SessionId { get; init; }
    [Id(1)] public required string SourceMessage { get; init; }
}
