namespace Missions;

/// <summary>What an execution produced: the answer for the person, whether it succeeded, and how.</summary>
[GenerateSerializer, Immutable, Alias("missions.ExecutionResult")]
public sealed record ExecutionResult
{
    [Id(0)] public string FinalAnswer { get; init; } = "";
    [Id(1)] public bool Success { get; init; }
    [Id(2)] public IReadOnlyList<string> ToolsUsed { get; init; } = [];
    [Id(3)] public IReadOnlyList<PageSource> Sources { get; init; } = [];
    /// <summary>Pages read in this attempt, whether fetched now or reused from an earlier attempt's tool calls.</summary>
    [Id(4)] public int PagesFetched { get; init; }

    /// <summary>Of <see cref="PagesFetched"/>, those an earlier attempt had already fetched (not requested again).</summary>
    [Id(5)] public int PagesReused { get; init; }

    /// <summary>What the person should know about how the answer was made: limits reached, pages refused, a model that failed.</summary>
    [Id(6)] public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The answer itself, first: one or two sentences from the pages, each with its citation <c>[N]</c>; null when none answers.</summary>
    [Id(7)] public string? Answer { get; init; }

    /// <summary>What each <c>[N]</c> of <see cref="Answer"/> cites: the page, its title and the words quoted.</summary>
    [Id(8)] public IReadOnlyList<AnswerCitation> Citations { get; init; } = [];
}
