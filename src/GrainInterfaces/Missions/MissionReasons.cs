namespace Missions;

/// <summary>Why a mission's status changed: the <c>reason</c> of its status lines, one set for the grain, the signals and the page.</summary>
public static class MissionReasons
{
    public const string Queued = "queued";
    public const string ExecutionStarted = "execution_started";
    /// <summary>The previous run was cut off (its process went away) and runs again.</summary>
    public const string Interrupted = "interrupted";
    public const string RetryScheduled = "retry_scheduled";
    public const string RetryRequested = "retry_requested";
    public const string Cancelled = "cancelled";
    public const string TimedOut = "timed_out";
    public const string BudgetExhausted = "budget_exhausted";
    public const string ExecutionFinished = "execution_finished";
    public const string ExecutionFailed = "execution_failed";
    /// <summary>Cut off too often (<c>MaxAttempts</c>): the page may crash or hang the reader, so it is not run again.</summary>
    public const string InterruptedTooOften = "interrupted_too_often";
    /// <summary>Created as a proposal: it runs once a person approves it.</summary>
    public const string AwaitingApproval = "awaiting_approval";
    public const string Approved = "approved";
    /// <summary>A person said no to the proposal (it ends cancelled).</summary>
    public const string Rejected = "rejected";
    /// <summary>Nobody approved the proposal within <c>Missions:Chat:ProposalTtlMinutes</c> (it ends cancelled).</summary>
    public const string ProposalExpired = "proposal_expired";
}
