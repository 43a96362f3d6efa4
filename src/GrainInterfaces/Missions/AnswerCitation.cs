namespace Missions;

/// <summary>One numbered citation of an answer: <c>[N]</c> in <see cref="ExecutionResult.Answer"/> is the page read N-th.</summary>
[GenerateSerializer, Immutable, Alias("missions.AnswerCitation")]
public sealed record AnswerCitation
{
    [Id(0)] public required int N { get; init; }
    [Id(1)] public required string Url { get; init; }
    [Id(2)] public string Title { get; init; } = "";

    /// <summary>The words of the page the cited sentence is.</summary>
    [Id(3)] public string Quote { get; init; } = "";
}
