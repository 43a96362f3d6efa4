namespace Missions;

/// <summary>A change asked of a proposal ("make it 10 pages, within 2 minutes, also on docs.example.org"): null or empty keeps what it has.</summary>
[GenerateSerializer, Immutable, Alias("missions.MissionRevision")]
public sealed record MissionRevision
{
    [Id(0)] public int? MaxPages { get; init; }
    [Id(1)] public int? MaxDurationSeconds { get; init; }
    [Id(2)] public MissionPriority? Priority { get; init; }
    [Id(3)] public IReadOnlyList<string> AddDomains { get; init; } = [];
    [Id(4)] public IReadOnlyList<string> AddStartUrls { get; init; } = [];
    [Id(5)] public required string Message { get; init; }

    /// <summary>True when the message named nothing to change.</summary>
    public bool ChangesNothing => MaxPages is null && MaxDurationSeconds is null && Priority is null && AddDomains.Count == 0 && AddStartUrls.Count == 0;
}

/// <summary>Where a person decided (<see cref="MissionStatusUpdated.DecidedVia"/>, <see cref="Actor.Via"/>).</summary>
public static class MissionDecisions
{
    public const string Chat = "chat";
    public const string Api = "api";
}
