namespace Missions;

/// <summary>What a mission said when asked to serve an identical new request.</summary>
[GenerateSerializer, Immutable, Alias("missions.ReuseDecision")]
public sealed record ReuseDecision
{
    [Id(0)] public required ReuseKind Kind { get; init; }
    [Id(1)] public MissionView? View { get; init; }
}

/// <summary>How a mission can serve an identical new request.</summary>
[GenerateSerializer, Alias("missions.ReuseKind")]
public enum ReuseKind
{
    /// <summary>It cannot: start a new mission.</summary>
    None,

    /// <summary>It is queued or running: the request joins it.</summary>
    Attached,

    /// <summary>It completed within the freshness window: its result answers the request.</summary>
    CacheHit,
}
