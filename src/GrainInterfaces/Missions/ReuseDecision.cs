namespace Missions;

/// <summary>What a mission said when asked to serve an identical new request.</summary>
[GenerateSerializer, Immutable, Alias("missions.ReuseDecision")]
public sealed record ReuseDecision
{
    /// <summary><c>attached</c> (it is queued or running), <c>cache_hit</c> (finished recently), or <c>none</c>.</summary>
    [Id(0)] public required string Kind { get; init; }
    [Id(1)] public MissionView? View { get; init; }

    public const string Attached = "attached";
    public const string CacheHit = "cache_hit";
    public const string None = "none";
}
