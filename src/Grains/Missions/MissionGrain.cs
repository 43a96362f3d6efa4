using Microsoft.Extensions.Options;
using Missions.Chat;
using Missions.EventSourcing;
using Missions.Execution;
using Missions.Log;
using Missions.Queue;
using Missions.Telemetry;

namespace Missions;

/// <summary>
/// One mission, event-sourced (<see cref="EventSourcedGrain{TState, TEvent}"/>) over its stream of the mission store:
/// its events are the log's lines, its state their fold (<see cref="MissionState"/>).
/// Execution runs in the background (<see cref="MissionRun"/>); the grain keeps a handle to cancel it and is called
/// back when it ends, so status reads answer while it runs.
/// A running mission holds its activation for its budget (see <see cref="BeginRun"/>); once its end is recorded the
/// activation goes at once: an ended mission is read from the log (the whiteboard never activates it), so under
/// steady load its activation would only be memory — Orleans' default fifteen idle minutes would keep every mission
/// of the last quarter of an hour, and the silo's metrics walk every activation each second. Any other idle
/// activation (a mission waiting in the queue, or one read after it ended) goes after two minutes.
/// A mission is activated on the silo that asked for it (its conversation's, its schedule's): no hop to make one,
/// and in a cluster a silo that freezes holds up only what was made on it.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class MissionGrain(
    IMissionStore log,
    ExecutorCatalog executors,
    IMissionWorkspace workspace,
    IOptions<ExecutionOptions> options,
    IOptions<ChatOptions> chatOptions,
    QueueReachability queue,
    ILogger<MissionGrain> logger)
    : EventSourcedGrain<MissionState, MissionEvent>(log), IMissionGrain, IIncomingGrainCallFilter
{
    protected override string Noun => "Mission";

    /// <summary>
    /// The mission's history read from the store, or being read; null until a call needs it. A creation does not:
    /// it assumes a new mission and its conditional append at version 0 is the existence check (see
    /// <see cref="CreateAsync"/>), so a new mission costs the store no read (in cluster mode, a round trip).
    /// </summary>
    private Task? _loaded;

    /// <summary>True while a creation runs without having read the stream (see <see cref="CreateAsync"/>).</summary>
    private bool _creatingUnread;

    /// <summary>Who asked to cancel the running attempt: its end records them.</summary>
    private Actor? _cancelledBy;

    /// <summary>The attempt running in this activation, if any.</summary>
    private MissionRun? _run;

    private string MissionId => this.GetPrimaryKeyString();

    public async Task<MissionCreateResult> CreateAsync(MissionDraft draft)
    {
        var unread = _creatingUnread;
        _creatingUnread = false;
        if (State.Exists)
        {
            return new MissionCreateResult { MissionId = MissionId, Status = State.Status, Created = false };
        }
        // The mission's trace is the creating request's: every line of the mission carries it (see RaiseAsync).
        var traceParent = MissionsTelemetry.CurrentTraceParent();
        var traceId = MissionsTelemetry.TraceIdOf(traceParent);
        var now = DateTime.UtcNow;
        var creation = new MissionCreated
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
                ScheduleId = draft.ScheduleId,
                Owner = draft.Owner,
            };
        var queued = draft.RequiresApproval
            ? await ProposeAsync(creation)
            : await QueueAsync(
                [creation, new MissionStatusUpdated { MissionId = MissionId, TraceId = traceId, Timestamp = now, Status = MissionStatus.Queued, Attempt = 1, Reason = MissionReasons.Queued }],
                draft.Priority, draft.Constraints.MaxDurationSeconds, attempt: 1);
        if (queued is not { } slot)
        {
            if (unread && State.Exists)
            {
                // It was not new after all (a request sent again after a crash): the store's answer is its history.
                return new MissionCreateResult { MissionId = MissionId, Status = State.Status, Created = false };
            }
            throw Conflict();
        }
        LogCreated(logger, MissionId, draft.SessionId, draft.Objective.Type);
        MissionsTelemetry.Created.Add(1, new KeyValuePair<string, object?>("objective_type", draft.Objective.Type));

        // The lines above are the commitment: if what follows is lost in a crash, the queue finds the mission
        // in the log when it comes back (active and unfinished: it runs again). (The learning signals are derived
        // from these lines: see SignalLog.)
        if (slot)
        {
            BeginRun(attempt: 1);
        }
        return new MissionCreateResult { MissionId = MissionId, Status = State.Status, Created = true };
    }

    public async Task<MissionView?> GetViewAsync() =>
        State.Exists ? MissionView.From(State, await log.ReadStreamAsync(MissionId)) : null;

    /// <summary>
    /// Asks the queue for a free slot, waiting for its answer only as long as <see cref="QueueReachability"/> allows: if
    /// the queue cannot answer, the mission waits queued in the log (it is there before it asks) for the queue's
    /// dispatch or sweep. A slot granted after the mission stopped waiting is taken up as the queue's own start would
    /// (a start is idempotent: a mission already running says so), so no slot is held for a run that never begins.
    /// </summary>
    private async Task<bool> ClaimSlotAsync(MissionPriority priority, int budgetSeconds)
    {
        var claim = Queue().ClaimAsync(MissionId, priority, budgetSeconds);
        if (!await queue.WaitAsync(claim, QueuePartition))
        {
            var (grains, missionId) = (GrainFactory, MissionId); // the grain's own factory is for its turns only
            _ = Task.Run(() => StartIfGrantedLateAsync(claim, grains, missionId, logger));
            return false;
        }
        try
        {
            return await claim == SlotClaim.Granted;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogClaimFailed(logger, ex, MissionId);
            return false;
        }
    }

    /// <summary>Off the grain's turn (on the thread pool): a slot granted after the mission stopped waiting starts it as the queue's dispatch would.</summary>
    private static async Task StartIfGrantedLateAsync(Task<SlotClaim> claim, IGrainFactory grains, string missionId, ILogger logger)
    {
        try
        {
            if (await claim == SlotClaim.Granted)
            {
                await grains.Mission(missionId).StartExecutionAsync();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogClaimFailed(logger, ex, missionId); // a refused claim or a failed start: the queue's sweep (or the lease) finds it
        }
    }

    public async Task<MissionCommandResult> CancelAsync(Actor by)
    {
        if (!State.Exists)
        {
            return Unknown();
        }
        if (State.Status.IsTerminal())
        {
            return Refused($"Mission {MissionId} has already ended ({State.Status.ToWireName()}); there is nothing to cancel.");
        }
        if (_run is { } run)
        {
            // The work stops at its next cancellation check (or is given up on after the stop grace); its end is then recorded as cancelled.
            _cancelledBy = by;
            run.Cancel();
            LogCancelRequested(logger, MissionId, run.Attempt);
            return new MissionCommandResult { MissionId = MissionId, Accepted = true, Status = State.Status, Message = $"Cancelling mission {MissionId}: its work is being stopped." };
        }
        await EndAsync(MissionStatus.Cancelled, State.Attempt, MissionReasons.Cancelled, null, "The mission was cancelled.", TimeSpan.Zero, decidedBy: by);
        await Queue().RemoveAsync(MissionId); // one-way: sent, not waited for; if it never arrives, the start is refused
        return new MissionCommandResult { MissionId = MissionId, Accepted = true, Status = State.Status, Message = $"Mission {MissionId} is cancelled." };
    }

    public async Task<MissionCommandResult> RetryAsync(Actor by)
    {
        if (!State.Exists)
        {
            return Unknown();
        }
        if (!State.Status.IsRetryable())
        {
            return Refused($"Mission {MissionId} is {State.Status.ToWireName().Replace('_', ' ')}; only a failed, timed-out or cancelled mission can be retried.");
        }
        var attempt = State.RunsStarted + 1;
        var slot = await QueueAsync(
            [new MissionStatusUpdated { MissionId = MissionId, Timestamp = DateTime.UtcNow, Status = MissionStatus.Queued, Attempt = attempt, Reason = MissionReasons.RetryRequested, DecidedVia = by.Via, DecidedBy = by.PersonId }],
            State.Priority, State.Constraints!.MaxDurationSeconds, attempt) ?? throw Conflict();
        if (slot)
        {
            BeginRun(attempt);
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
            await Queue().CompleteAsync(MissionId); // one-way: sent, not waited for
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogQueueUnreachable(logger, ex, MissionId);
        }
    }

    /// <summary>The execution queue's partition this mission belongs to (see <see cref="QueuePartitions"/>).</summary>
    private int QueuePartition => QueuePartitions.Of(MissionId, options.Value.QueuePartitions);

    private IExecutionQueueGrain Queue() => GrainFactory.Queue(QueuePartition);

    private MissionCommandResult Unknown() => new() { MissionId = MissionId, Accepted = false, Message = $"There is no mission {MissionId}." };

    private MissionCommandResult Refused(string message) =>
        new() { MissionId = MissionId, Accepted = false, Status = State.Status, Message = message };

    /// <summary>Records a terminal status, frees the queue slot and tells the session.</summary>
    private async Task EndAsync(MissionStatus status, int attempt, string reason, ExecutionResult? result, string? error, TimeSpan elapsed,
        Actor? decidedBy = null, bool notifySession = true)
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
                ExecutionResult = result is null ? null : ResultLimits.Fit(result),
                Error = error,
                DecidedVia = decidedBy?.Via,
                DecidedBy = decidedBy?.PersonId,
            },
        ]);
        LogFinished(logger, MissionId, attempt, status.ToWireName(), (long)elapsed.TotalMilliseconds);
        MissionsTelemetry.Ended.Add(1, new KeyValuePair<string, object?>("status", status.ToWireName()));
        if (elapsed > TimeSpan.Zero)
        {
            MissionsTelemetry.ActiveToTerminal.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("status", status.ToWireName()));
        }

        // Over: its kept fetches are not needed (a person's retry fetches again). Work that used no tool kept none
        // (in cluster mode that saves a round trip to the store per mission; anything left is swept by age).
        if (State.PagesRead > 0 || result?.ToolsUsed is { Count: > 0 })
        {
            _ = workspace.ForgetAsync(MissionId);
        }
        await FreeQueueSlotAsync();
        if (State.ScheduleId is { } scheduleId)
        {
            // A schedule's run: the schedule compares it with the last one and tells the chat only what changed.
            _ = GrainFactory.GetGrain<IScheduleGrain>(scheduleId).RunEndedAsync(MissionId);
        }
        else if (notifySession)
        {
            NotifySession(ChatReplies.Outcome(MissionId, status, attempt, result, error));
        }
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

    /// <summary>
    /// Every call but a first creation waits for the mission's history (read once, by whichever call comes first). A
    /// read that failed (the store unreachable) is tried again by the next call, as a failed activation would be; so is
    /// one that a creation skipped and then could not write.
    /// </summary>
    async Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        if (_loaded is { IsFaulted: true })
        {
            _loaded = null;
        }
        var assumingNew = _loaded is null && context.InterfaceMethod.Name == nameof(CreateAsync);
        if (assumingNew)
        {
            _loaded = Task.CompletedTask;
            _creatingUnread = true;
        }
        await (_loaded ??= LoadAsync());
        try
        {
            await context.Invoke();
        }
        catch when (assumingNew && !State.Exists)
        {
            _loaded = null;
            throw;
        }
    }

    /// <summary>
    /// Every event carries the mission's own trace id — not the ambient one, which in the queue's dispatch is
    /// whichever mission's turn freed the slot. A new mission's trace is on its creation line, which the same append
    /// may carry (created, queued, active).
    /// </summary>
    protected override IReadOnlyList<MissionEvent> Stamp(IReadOnlyList<MissionEvent> events) =>
        (State.TraceId ?? events.FirstOrDefault(e => e.TraceId is not null)?.TraceId) is { } traceId
            ? events.Select(e => e.TraceId is null ? e with { TraceId = traceId } : e).ToList()
            : events;

    [LoggerMessage(Level = LogLevel.Information, Message = "Mission {MissionId} created in session {SessionId} ({ObjectiveType})")]
    private static partial void LogCreated(ILogger logger, string missionId, string sessionId, string objectiveType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mission {MissionId} attempt {Attempt}: cancel requested")]
    private static partial void LogCancelRequested(ILogger logger, string missionId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mission {MissionId} could not reach the queue; it waits queued in the log for the queue's sweep")]
    private static partial void LogClaimFailed(ILogger logger, Exception ex, string missionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mission {MissionId} could not tell the queue its run ended; the lease will free the slot")]
    private static partial void LogQueueUnreachable(ILogger logger, Exception ex, string missionId);


    [LoggerMessage(Level = LogLevel.Warning, Message = "Posting the outcome of mission {MissionId} to its session failed")]
    private static partial void LogNotifyFailed(ILogger logger, Exception ex, string missionId);
}
