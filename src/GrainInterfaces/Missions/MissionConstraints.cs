namespace Missions;

/// <summary>The limits a mission runs under: where it may read, how much, and for how long.</summary>
[GenerateSerializer, Immutable, Alias("missions.MissionConstraints")]
public sealed record MissionConstraints
{
    public const int DefaultMaxPages = 5;
    public const int MaxMaxPages = 50;
    public const int DefaultMaxDurationSeconds = 60;
    public const int MaxMaxDurationSeconds = 3600;

    [Id(0)] public IReadOnlyList<string> AllowedDomains { get; init; } = [];
    [Id(1)] public int MaxPages { get; init; } = DefaultMaxPages;
    [Id(2)] public int MaxDurationSeconds { get; init; } = DefaultMaxDurationSeconds;
}
