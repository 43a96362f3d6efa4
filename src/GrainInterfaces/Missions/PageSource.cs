namespace Missions;

/// <summary>A page an answer drew on.</summary>
[GenerateSerializer, Immutable, Alias("missions.PageSource")]
public sealed record PageSource
{
    [Id(0)] public required string Url { get; init; }
    [Id(1)] public string Title { get; init; } = "";
}
