namespace Missions;

/// <summary>How an execution ended, as the executor reports it.</summary>
[GenerateSerializer, Immutable, Alias("missions.ExecutionOutcome")]
public sealed record ExecutionOutcome
{
    [Id(0)] public required ExecutionResult Result { get; init; }

    /// <summary>Why it failed, for the person; null on success.</summary>
    [Id(1)] public string? Error { get; init; }

    /// <summary>The time budget ran out; the result holds what was found until then.</summary>
    [Id(2)] public bool TimedOut { get; init; }

    /// <summary>The work was cancelled on request.</summary>
    [Id(3)] public bool Cancelled { get; init; }

    /// <summary>
    /// The failure may pass if tried again (a network error, a 5xx, a request timeout), as opposed to a
    /// permanent one (a bad domain, a 4xx, a refused address).
    /// </summary>
    [Id(4)] public bool Transient { get; init; }

    /// <summary>The page budget ran out with links left unread: the result is what the pages read so far say.</summary>
    [Id(5)] public bool BudgetExhausted { get; init; }

    /// <summary>The executor did not return within the grace after its token fired: the run was abandoned where it stood.</summary>
    [Id(6)] public bool Unresponsive { get; init; }
}
