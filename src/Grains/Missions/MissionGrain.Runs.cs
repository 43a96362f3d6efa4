using Missions.Execution;
using Missions.Log;
using Missions.Telemetry;

namespace Missions;

/// <summary>A mission's runs: starting one (from the queue), its progress, its end, a retry's schedule and a stop.</summary>
public sealed partial class MissionGrain
{
    public async Task<StartExecution> StartExecutionAsync()
    {
        if (!State.Exists || State.Status.IsTerminal() || State.Status == MissionStatus.Proposed)
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
    /// Writes events that leave the mission queued — and, when the queue grants it a slot, started too, in the same
    /// append: created, queued and active are one durable round, not two (the slot is asked for first, a grain call
    /// in the silo, which costs far less than an fsync round). True when the mission holds a slot: its start is on
    /// disk and the caller begins its run (<see cref="BeginRun"/>). Null when another writer got there first (the
    /// state reloaded, nothing written). A slot whose lines were not written is given back.
    /// </summary>
    private async Task<bool?> QueueAsync(IReadOnlyList<MissionEvent> events, MissionPriority priority, int budgetSeconds, int attempt)
    {
        var slot = await ClaimSlotAsync(priority, budgetSeconds);
        bool written;
        try
        {
            written = await TryRaiseAsync(slot ? [.. events, Started(attempt, DateTime.UtcNow)] : events);
        }
        catch
        {
            if (slot)
            {
                await FreeQueueSlotAsync();
            }
            throw;
        }
        if (!written)
        {
            if (slot)
            {
                await FreeQueueSlotAsync();
            }
            return null;
        }
        return slot;
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
        await EndAsync(status, attempt, reason, outcome.Result, error, elapsed, decidedBy: outcome.Cancelled ? _cancelledBy : null);
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
                Error = $"Attempt {attempt} failed: {error}", RetryAt = retryAt, ExecutionResult = ResultLimits.Fit(outcome.Result),
            },
        ]);
        LogRetryScheduled(logger, MissionId, attempt, backoff);
        await FreeQueueSlotAsync();
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Mission {MissionId} attempt {Attempt} started")]
    private static partial void LogStarted(ILogger logger, string missionId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mission {MissionId} attempt {Attempt} ended {Status} in {ElapsedMs} ms")]
    private static partial void LogFinished(ILogger logger, string missionId, int attempt, string status, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mission {MissionId} attempt {Attempt} failed transiently; retrying in {BackoffSeconds:0.0} s")]
    private static partial void LogRetryScheduled(ILogger logger, string missionId, int attempt, double backoffSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mission {MissionId} attempt {Attempt} could not record its end yet; trying again")]
    private static partial void LogReportFailed(ILogger logger, Exception ex, string missionId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mission {MissionId} attempt {Attempt} finished during shutdown")]
    private static partial void LogFinishedOnShutdown(ILogger logger, string missionId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mission {MissionId} attempt {Attempt} left running as its activation goes away ({Reason}); it will run again")]
    private static partial void LogAbandoned(ILogger logger, string missionId, int attempt, string reason);
}
