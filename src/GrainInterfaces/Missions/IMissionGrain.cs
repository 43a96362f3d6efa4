namespace Missions;

/// <summary>One mission, keyed by its id. Event-sourced over <c>missions.jsonl</c>.</summary>
public interface IMissionGrain : IGrainWithStringKey
{
    /// <summary>Creates the mission from a draft and queues it; creating it again returns the existing mission.</summary>
    Task<MissionCreateResult> CreateAsync(MissionDraft draft);

    /// <summary>The mission as the whiteboard shows it, or null if it was never created.</summary>
    [AlwaysInterleave]
    Task<MissionView?> GetViewAsync();

    /// <summary>Called by the queue when a slot is free: starts the work in the background and returns at once.</summary>
    Task<StartExecution> StartExecutionAsync();

    /// <summary>Cancels the mission: a queued one at once, a running one as soon as its work stops. Never retried after.</summary>
    Task<MissionCommandResult> CancelAsync(Actor by);

    /// <summary>Runs a failed, timed-out or cancelled mission again, as its next attempt.</summary>
    Task<MissionCommandResult> RetryAsync(Actor by);

    /// <summary>
    /// Asked to serve an identical new request: attaches it while the mission is queued or running, answers it
    /// from the result when it completed within <paramref name="freshness"/> (recorded as a cache hit), else declines.
    /// </summary>
    Task<ReuseDecision> ReuseAsync(string sessionId, string message, TimeSpan freshness);

    /// <summary>Queues a proposal (<c>proposed</c> → <c>queued</c>); <paramref name="by"/>: who, in the chat or through the API.</summary>
    Task<MissionCommandResult> ApproveAsync(Actor by);

    /// <summary>Ends a proposal <c>cancelled</c> with reason <c>rejected</c>.</summary>
    Task<MissionCommandResult> RejectAsync(Actor by);

    /// <summary>Changes a proposal's plan before it is approved.</summary>
    Task<MissionCommandResult> ReviseAsync(MissionRevision revision);

    /// <summary>Ends a proposal whose time to be approved is up (asked by the queue's minutely check).</summary>
    Task ExpireIfDueAsync();

    /// <summary>Called by the running work after each page: recorded as a <see cref="MissionProgress"/> line.</summary>
    Task RecordProgressAsync(int attempt, int pagesRead, ToolCall toolCall);

    /// <summary>Called back when the background work ends: records the outcome and frees the queue slot.</summary>
    Task CompleteExecutionAsync(int attempt, ExecutionOutcome outcome);
}
