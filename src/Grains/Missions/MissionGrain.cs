using Microsoft.Extensions.Options;
using Missions.Chat;
using Missions.Execution;
using Missions.Log;
using Missions.Queue;
using Missions.Research;
using Missions.Telemetry;

namespace Missions;

/// <summary>
/// One mission, event-sourced over <c>missions.jsonl</c>: its events are the log's lines, its state their fold.
/// It raises, appends and applies its own events: an append is version-checked against the log and durable
/// before the state moves, and activation replays the mission's lines. (Orleans' JournaledGrain on the
/// CustomStorage provider does the same, but retries a failed write in the background with the call left
/// waiting; with a full disk that turns a clear error into a 30-second timeout and a write that lands later.)
/// Execution runs in the background (<see cref="MissionRun"/>); the grain keeps a handle to cancel it and is called
/// back when it ends, so status reads answer while it runs.
/// A running mission holds its activation for its budget (see <see cref="BeginRun"/>); once its end is recorded the
/// activation goes at once: an ended mission is read from the log (the whiteboard never activates it), so under
/// steady load its activation would only be memory — at 2,000 missions/s, Orleans' default fifteen idle minutes
/// is 1.8 million activations, and the silo's metrics walk every one of them each second. Any other idle
/// activation (a mission waiting in the queue, or one read after it ended) goes after two minutes.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed partial class MissionGrain(
    IMissionStore log,
    ExecutorCatalog executors,
    ToolCallStore toolCalls,
    IOptions<ExecutionOptions> options,
    ILogger<MissionGrain> logger)
    : Grain, IMissionGrain
{
    private MissionState State { get; set; } = new();

    /// <summary>The attempt running in this activation, if any.</summary>
    private MissionRun? _run;

    private string MissionId => this.GetPrimaryKeyString();

    public async Task<MissionCreateResult> CreateAsync(MissionDraft draft)
    {
        if (State.Exists)
        {
            return new MissionCreateResult { MissionId = MissionId, Status = State.Status, Created = false };
        }
        // The mission's trace is the creating request's: every line of the mission carries it (see RaiseAsync).
        var traceParent = MissionsTelemetry.CurrentTraceParent();
        var traceId = MissionsTelemetry.TraceIdOf(traceParent);
        var now = DateTime.UtcNow;
        var slot = await QueueAsync(
        [
            new MissionCreated
            {
                MissionId = MissionId,
                TraceId = traceId,
                Timestamp = now,
                SessionId = draft.SessionId,
                Objective = draft.Objective,
                Constraints = draft.Constraints,
                StartUrls = draft.StartUrls,
                SourceMessage = draft.SourceMessage,
                ClientMessageId = draft.ClientMessageId,
                Priority = draft.Priority,
                TraceParent = traceParent,
            },
            new MissionStatusUpdated { MissionId = MissionId, TraceId = traceId, Timestamp = now, Status = MissionStatus.Queued, Attempt = 1, Reason = MissionReasons.Queued },
        ], draft.Priority, draft.Constraints.MaxDurationSeconds);
        LogCreated(logger, MissionId, draft.SessionId, draft.Objective.Type);
        MissionsTelemetry.Created.Add(1, new KeyValuePair<string, object?>("objective_type", draft.Objective.Type));

        // The lines above are the commitment: if what follows is lost in a crash, the queue finds the mission
        // in the log when it comes back. (The learning signals are derived from these lines: see SignalLog.)
        if (slot)
        {
            await StartClaimedAsync(attempt: 1);
        }
        return new MissionCreateResult { MissionId = MissionId, Status = State.Status, Created = true };
    }

    public async Task<MissionView?> GetViewAsync() =>
        State.Exists ? MissionView.From(State, await log.ReadEventsAsync(MissionId)) : null;

    public async Task<StartExecution> StartExecutionAsync()
    {
        if (!State.Exists || State.Status.IsTerminal())
        {
            return new StartExecution { Result = StartExecutionResult.NotRunnable };
        }
        var budgetSeconds = State.Constraints!.MaxDurationSeconds;
        if (_run is not null)
        {
            return new StartExecution { Result = StartExecutionResult.AlreadyRunning, BudgetSeconds = budgetSeconds };
        }

        var attempt = State.RunsStarted + 1;
        var now = DateTime.UtcNow;
        var events = new List<MissionEvent>(2);
        if (State.Status == MissionStatus.Active)
        {
            // The last run was cut off (its process went away) and never recorded an end. A cut-off run counts as
            // an attempt: a page that crashes or hangs the reader must not make the mission run at every start.
            if (State.RunsStarted - State.FirstAutomaticAttempt + 1 >= options.Value.MaxAttempts)
            {
                await EndPoisonedAsync();
                return new StartExecution { Result = StartExecutionResult.NotRunnable };
            }
            events.Add(new MissionStatusUpdated
            {
                MissionId = MissionId, Timestamp = now, Status = MissionStatus.Queued, Attempt = attempt, Reason = MissionReasons.Interrupted,
                Error = $"Attempt {attempt - 1} was interrupted before it finished; running it again.",
            });
        }
        events.Add(Started(attempt, now));
        await RaiseAsync(events);
        BeginRun(attempt);
        return new StartExecution { Result = StartExecutionResult.Started, BudgetSeconds = budgetSeconds };
    }

    /// <summary>Ends a mission whose runs were cut off (or failed) as often as it may run on its own.</summary>
    private async Task EndPoisonedAsync()
    {
        var runs = State.RunsStarted - State.FirstAutomaticAttempt + 1;
        var interrupted = State.InterruptedRuns + 1;
        var error = interrupted == runs
            ? $"Interrupted {runs} times: the page may crash or hang the reader, so the mission is not run again (retry it to try once more)."
            : $"Failed after {runs} attempts, the last {(interrupted == 1 ? "one" : interrupted + " of them")} interrupted: the page may crash or hang the reader.";
        await EndAsync(MissionStatus.Failed, State.RunsStarted, MissionReasons.InterruptedTooOften,
            new ExecutionResult { Success = false, PagesFetched = State.PagesRead }, error, TimeSpan.Zero);
    }

    private MissionStatusUpdated Started(int attempt, DateTime now) =>
        new() { MissionId = MissionId, Timestamp = now, Status = MissionStatus.Active, Attempt = attempt, Reason = MissionReasons.ExecutionStarted };

    /// <summary>
    /// Writes events that leave the mission queued, asking the queue for a slot meanwhile (not after: that would
    /// add a round trip before the caller's answer). True when a slot is the mission's: the caller starts it with
    /// <see cref="StartClaimedAsync"/>, saving the queue's dispatch call. A slot whose lines failed is given back.
    /// </summary>
    private async Task<bool> QueueAsync(IReadOnlyList<MissionEvent> events, MissionPriority priority, int budgetSeconds)
    {
        var claim = ClaimSlotAsync(priority, budgetSeconds);
        try
        {
            await RaiseAsync(events);
        }
        catch
        {
            if (await claim)
            {
                await FreeQueueSlotAsync();
            }
            throw;
        }
        return await claim;
    }

    /// <summary>Asks the queue for a free slot; if the queue cannot answer, the mission waits queued in the log for its sweep.</summary>
    private async Task<bool> ClaimSlotAsync(MissionPriority priority, int budgetSeconds)
    {
        try
        {
            return await GrainFactory.Queue().ClaimAsync(MissionId, priority, budgetSeconds) == SlotClaim.Granted;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogClaimFailed(logger, ex, MissionId);
            return false;
        }
    }

    /// <summary>
    /// Starts the run of a queued mission that holds a slot. If its start cannot be written, the slot is given
    /// back and the mission stays queued in the log, where the queue's sweep finds it.
    /// </summary>
    private async Task StartClaimedAsync(int attempt)
    {
        try
        {
            await RaiseAsync([Started(attempt, DateTime.UtcNow)]);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogStartFailed(logger, ex, MissionId, attempt);
            await FreeQueueSlotAsync();
            return;
        }
        BeginRun(attempt);
    }

    /// <summary>Runs the work of an attempt whose start is on disk: off the grain's turn, on the thread pool (see <see cref="MissionRun"/>).</summary>
    private void BeginRun(int attempt)
    {
        var budget = TimeSpan.FromSeconds(State.Constraints!.MaxDurationSeconds);
        DelayDeactivation(budget + TimeSpan.FromMinutes(1));
        LogStarted(logger, MissionId, attempt);
        MissionsTelemetry.ChatToActive.Record((DateTime.UtcNow - State.CreatedAt!.Value).TotalSeconds,
            new KeyValuePair<string, object?>("attempt", attempt));
        _run = new MissionRun(State, attempt, executors.For(State.Objective!.Type), GrainFactory.Mission(MissionId), options.Value, logger);
        _run.Start();
    }

    public async Task RecordProgressAsync(int attempt, int pagesRead, ToolCall toolCall)
    {
        if (_run?.Attempt != attempt || State.Status != MissionStatus.Active)
        {
            return; // a late report of a run that has ended
        }
        await RaiseAsync(
        [
            new MissionProgress
            {
                MissionId = MissionId, Timestamp = DateTime.UtcNow, Attempt = attempt, PagesRead = pagesRead,
                MaxPages = State.Constraints!.MaxPages, ToolCall = toolCall,
            },
        ]);
    }

    public async Task CompleteExecutionAsync(int attempt, ExecutionOutcome outcome)
    {
        var run = _run;
        if (run is null || run.Attempt != attempt)
        {
            return; // a stale report of a run this activation no longer owns
        }
        // Still active: the end is not recorded yet (a report that failed to write is sent again).
        if (State.Status == MissionStatus.Active)
        {
            await RecordEndAsync(attempt, outcome, run.Elapsed);
        }
        _run = null;
        run.Dispose();
        if (State.Status.IsTerminal())
        {
            DeactivateOnIdle(); // over for good: from now on it is read from the log
        }
        else
        {
            DelayDeactivation(TimeSpan.Zero); // waiting for a retry: the run no longer holds the activation
        }
    }

    private async Task RecordEndAsync(int attempt, ExecutionOutcome outcome, TimeSpan elapsed)
    {
        var kept = outcome.Result.FinalAnswer.Length > 0 ? "; the result holds what it found until then." : ".";
        if (outcome.Unresponsive)
        {
            // What it had is what its progress lines say: the pages it read are on the timeline.
            kept = $"; its work did not stop within {options.Value.StopGraceSeconds} s and was abandoned after reading {State.PagesRead} {(State.PagesRead == 1 ? "page" : "pages")}.";
            outcome = outcome with { Result = outcome.Result with { PagesFetched = State.PagesRead } };
        }
        var (status, reason, error) = outcome switch
        {
            { Cancelled: true } => (MissionStatus.Cancelled, MissionReasons.Cancelled, "The mission was cancelled" + kept),
            { TimedOut: true } => (MissionStatus.TimedOut, MissionReasons.TimedOut,
                $"The mission ran out of its {State.Constraints!.MaxDurationSeconds}-second time budget" + kept),
            { Result.Success: true, BudgetExhausted: true } => (MissionStatus.Completed, MissionReasons.BudgetExhausted, null),
            { Result.Success: true } => (MissionStatus.Completed, MissionReasons.ExecutionFinished, null),
            _ => (MissionStatus.Failed, MissionReasons.ExecutionFailed, outcome.Error ?? "The mission failed."),
        };
        if (status == MissionStatus.Failed && outcome.Transient && attempt < options.Value.MaxAttempts)
        {
            await ScheduleRetryAsync(attempt, outcome, error!);
            return;
        }
        if (status == MissionStatus.Failed && attempt > 1)
        {
            error = $"Failed after {attempt} attempts: {error}";
        }
        await EndAsync(status, attempt, reason, outcome.Result, error, elapsed);
    }

    /// <summary>
    /// A transient failure: the mission goes back to queued with the time its next attempt may start
    /// (exponential backoff with jitter). The queue's sweep dispatches it when that time comes — from the log,
    /// so a restart in between keeps the schedule.
    /// </summary>
    private async Task ScheduleRetryAsync(int attempt, ExecutionOutcome outcome, string error)
    {
        var backoff = Backoff.ForRetry(TimeSpan.FromSeconds(options.Value.RetryBaseDelaySeconds), attempt).TotalSeconds;
        var now = DateTime.UtcNow;
        var retryAt = now.AddSeconds(backoff);
        await RaiseAsync(
        [
            new MissionStatusUpdated
            {
                MissionId = MissionId, Timestamp = now, Status = MissionStatus.Queued, Attempt = attempt + 1, Reason = MissionReasons.RetryScheduled,
                Error = $"Attempt {attempt} failed: {error}", RetryAt = retryAt, ExecutionResult = LineBudget.Fit(outcome.Result),
            },
        ]);
        LogRetryScheduled(logger, MissionId, attempt, backoff);
        await FreeQueueSlotAsync();
    }

    public async Task<MissionCommandResult> CancelAsync()
    {
        if (!State.Exists)
        {
            return new MissionCommandResult { MissionId = MissionId, Accepted = false, Message = $"There is no mission {MissionId}." };
        }
        if (State.Status.IsTerminal())
        {
            return Refused($"Mission {MissionId} has already ended ({State.Status.ToWireName()}); there is nothing to cancel.");
        }
        if (_run is { } run)
        {
            // The work stops at its next cancellation check (or is given up on after the stop grace); its end is then recorded as cancelled.
            run.Cancel();
            LogCancelRequested(logger, MissionId, run.Attempt);
            return new MissionCommandResult { MissionId = MissionId, Accepted = true, Status = State.Status, Message = $"Cancelling mission {MissionId}: its work is being stopped." };
        }
        await EndAsync(MissionStatus.Cancelled, State.Attempt, MissionReasons.Cancelled, null, "The mission was cancelled.", TimeSpan.Zero);
        await GrainFactory.Queue().RemoveAsync(MissionId);
        return new MissionCommandResult { MissionId = MissionId, Accepted = true, Status = State.Status, Message = $"Mission {MissionId} is cancelled." };
    }

    public async Task<MissionCommandResult> RetryAsync()
    {
        if (!State.Exists)
        {
            return new MissionCommandResult { MissionId = MissionId, Accepted = false, Message = $"There is no mission {MissionId}." };
        }
        if (State.Status is not (MissionStatus.Failed or MissionStatus.TimedOut or MissionStatus.Cancelled))
        {
            return Refused($"Mission {MissionId} is {State.Status.ToWireName().Replace('_', ' ')}; only a failed, timed-out or cancelled mission can be retried.");
        }
        var attempt = State.RunsStarted + 1;
        var slot = await QueueAsync(
            [new MissionStatusUpdated { MissionId = MissionId, Timestamp = DateTime.UtcNow, Status = MissionStatus.Queued, Attempt = attempt, Reason = MissionReasons.RetryRequested }],
            State.Priority, State.Constraints!.MaxDurationSeconds);
        if (slot)
        {
            await StartClaimedAsync(attempt);
        }
        var message = State.Status == MissionStatus.Active ? $"Mission {MissionId} is running again as attempt {attempt}." : $"Mission {MissionId} is queued again as attempt {attempt}.";
        return new MissionCommandResult { MissionId = MissionId, Accepted = true, Status = State.Status, Message = message };
    }

    public async Task<ReuseDecision> ReuseAsync(string sessionId, string message, TimeSpan freshness)
    {
        if (!State.Exists)
        {
            return new ReuseDecision { Kind = ReuseKind.None };
        }
        if (!State.Status.IsTerminal())
        {
            return new ReuseDecision { Kind = ReuseKind.Attached, View = MissionView.From(State, []) };
        }
        if (State.Status == MissionStatus.Completed && State.EndTime is { } ended && DateTime.UtcNow - ended <= freshness)
        {
            await RaiseAsync([new MissionReused { MissionId = MissionId, Timestamp = DateTime.UtcNow, SessionId = sessionId, SourceMessage = message }]);
            return new ReuseDecision { Kind = ReuseKind.CacheHit, View = MissionView.From(State, []) };
        }
        return new ReuseDecision { Kind = ReuseKind.None };
    }

    /// <summary>Tells the queue the run is over; if that fails (the silo is stopping), its lease frees the slot.</summary>
    private async Task FreeQueueSlotAsync()
    {
        try
        {
            await GrainFactory.Queue().CompleteAsync(MissionId);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogQueueUnreachable(logger, ex, MissionId);
        }
    }

    private MissionCommandResult Refused(string message) =>
        new() { MissionId = MissionId, Accepted = false, Status = State.Status, Message = message };

    /// <summary>Records a terminal status, frees the queue slot and tells the session.</summary>
    private async Task EndAsync(MissionStatus status, int attempt, string reason, ExecutionResult? result, string? error, TimeSpan elapsed)
    {
        var now = DateTime.UtcNow;
        await RaiseAsync(
        [
            new MissionStatusUpdated
            {
                MissionId = MissionId,
                Timestamp = now,
                Status = status,
                Attempt = attempt,
                Reason = reason,
                CompletedAt = now,
                ExecutionResult = result is null ? null : LineBudget.Fit(result),
                Error = error,
            },
        ]);
        LogFinished(logger, MissionId, attempt, status.ToWireName(), (long)elapsed.TotalMilliseconds);
        MissionsTelemetry.Ended.Add(1, new KeyValuePair<string, object?>("status", status.ToWireName()));
        if (elapsed > TimeSpan.Zero)
        {
            MissionsTelemetry.ActiveToTerminal.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("status", status.ToWireName()));
        }

        toolCalls.Forget(MissionId); // over: its kept fetches are not needed (a person's retry fetches again)
        await FreeQueueSlotAsync();
        NotifySession(ChatReplies.Outcome(MissionId, status, attempt, result, error));
    }

    /// <summary>
    /// Tells the session without awaiting it in this turn: the session may itself be waiting on this mission
    /// (a resent message), and two grains awaiting each other would deadlock.
    /// </summary>
    private void NotifySession(MissionOutcomeNotice notice)
    {
        var session = GrainFactory.Session(State.SessionId);
        session.PostMissionOutcomeAsync(notice).ContinueWith(
            t => LogNotifyFailed(logger, t.Exception!, notice.MissionId),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_run is not { } run)
        {
            return;
        }
        if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown)
        {
            // A graceful stop: let the run finish within the grace period and record its end here.
            run.RecordByActivation();
            var grace = TimeSpan.FromSeconds(options.Value.ShutdownGraceSeconds);
            var finished = await Task.WhenAny(run.Finished, Task.Delay(grace, cancellationToken)) == run.Finished;
            if (finished && State.Status == MissionStatus.Active)
            {
                try
                {
                    await RecordEndAsync(run.Attempt, run.Finished.Result, run.Elapsed);
                    _run = null;
                    LogFinishedOnShutdown(logger, MissionId, run.Attempt);
                    return;
                }
                catch (Exception ex)
                {
                    LogReportFailed(logger, ex, MissionId, run.Attempt);
                }
            }
        }
        // Leave the mission active in the log: the queue runs it again (as the next attempt) when it comes back.
        run.Abandon();
        LogAbandoned(logger, MissionId, run.Attempt, reason.Description);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        State = MissionState.Fold(await log.ReadEventsAsync(MissionId));

    /// <summary>
    /// Appends events at the mission's current version and applies them once they are on disk. If the append
    /// fails (a full disk) nothing is applied and the caller gets the error; if the log moved underneath (it
    /// cannot while this is the only activation), the state is reloaded and the call fails.
    /// Every event carries the mission's own trace id — not the ambient one, which in the queue's dispatch is
    /// whichever mission's turn freed the slot.
    /// </summary>
    private async Task RaiseAsync(IReadOnlyList<MissionEvent> events)
    {
        if (State.TraceId is { } traceId)
        {
            events = events.Select(e => e.TraceId is null ? e with { TraceId = traceId } : e).ToList();
        }
        if (!await log.AppendAsync(MissionId, events, State.Version))
        {
            State = MissionState.Fold(await log.ReadEventsAsync(MissionId));
            throw new InvalidOperationException($"Mission {MissionId} changed in the log underneath this activation; try again.");
        }
        foreach (var e in events)
        {
            State.Apply(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mission {MissionId} created in session {SessionId} ({ObjectiveType})")]
    private static partial void LogCreated(ILogger logger, string missionId, string sessionId, string objectiveType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mission {MissionId} attempt {Attempt} started")]
    private static partial void LogStarted(ILogger logger, string missionId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mission {MissionId} attempt {Attempt} ended {Status} in {ElapsedMs} ms")]
    private static partial void LogFinished(ILogger logger, string missionId, int attempt, string status, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mission {MissionId} attempt {Attempt} failed transiently; retrying in {BackoffSeconds:0.0} s")]
    private static partial void LogRetryScheduled(ILogger logger, string missionId, int attempt, double backoffSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mission {MissionId} attempt {Attempt}: cancel requested")]
    private static partial void LogCancelRequested(ILogger logger, string missionId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mission {MissionId} attempt {Attempt} could not record its end yet; trying again")]
    private static partial void LogReportFailed(ILogger logger, Exception ex, string missionId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mission {MissionId} could not reach the queue; it waits queued in the log for the queue's sweep")]
    private static partial void LogClaimFailed(ILogger logger, Exception ex, string missionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mission {MissionId} attempt {Attempt} could not record its start; it waits queued in the log for the queue's sweep")]
    private static partial void LogStartFailed(ILogger logger, Exception ex, string missionId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mission {MissionId} could not tell the queue its run ended; the lease will free the slot")]
    private static partial void LogQueueUnreachable(ILogger logger, Exception ex, string missionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Posting the outcome of mission {MissionId} to its session failed")]
    private static partial void LogNotifyFailed(ILogger logger, Exception ex, string missionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mission {MissionId} attempt {Attempt} finished during shutdown")]
    private static partial void LogFinishedOnShutdown(ILogger logger, string missionId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mission {MissionId} attempt {Attempt} left running as its activation goes away ({Reason}); it will run again")]
    private static partial void LogAbandoned(ILogger logger, string missionId, int attempt, string reason);
}
