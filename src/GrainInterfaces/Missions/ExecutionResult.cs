namespace Missions;

/// <summary>What an execution produced: the answer for the person, whether it succeeded, and how.</summary>
[GenerateSerializer, Immutable, Alias("missions.ExecutionResult")]
public sealed record ExecutionResult
{
    [Id(0)] public string FinalAnswer { get; init; } = "";
    [Id(1)] public bool Success { get; init; }
    [Id(2)] public IReadOnlyList<string> ToolsUsed { get; init; } = [];
    [Id(3)] public IReadOnlyList<PageSource> Sources { get; init; } = [];
    [Id(4)] public int PagesFetched { get; init; }
}
