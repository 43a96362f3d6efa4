using Missions.Chat;
using Microsoft.Extensions.Options;
using Missions.EventSourcing;
using Missions.Log;

namespace Missions.Schedules;

/// <summary>
/// A recurring mission. Each firing makes an ordinary mission (same log, queue, budgets and whiteboard); its end comes
/// back here and is compared with the previous run's (<see cref="RunComparison"/>), and the chat hears of it only when
/// something changed or the run failed. The schedule's lines are a stream of the mission log of their own, and it fires
/// through an Orleans reminder, registered again from the log at every start (<see cref="ScheduleStartupTask"/>): with
/// in-memory reminders a restart loses none, and a firing missed while the process was down runs once at start, not
/// once per missed period. A firing while the previous run still goes is skipped, and the skip recorded.
/// </summary>
public sealed partial class ScheduleGrain(
    IMissionStore store, AggregateReader aggregates, IOptions<ScheduleOptions> options, IOptions<Execution.ExecutionOptions> execution, ILogger<ScheduleGrain> logger)
    : EventSourcedGrain<ScheduleState, MissionEvent>(store), IScheduleGrain, IRemindable
{
    private const string Reminder = "fire";

    protected override string Noun => "Schedule";

    private string ScheduleId => StreamId;

    private Cadence Cadence => Cadence.FromDefinition(State.Definition!);

    private DateTime Anchor => State.Definition!.Timestamp;

    public override Task OnActivateAsync(CancellationToken cancellationToken) => LoadAsync();

    public async Task<ScheduleCommandResult> CreateAsync(ScheduleCreated definition)
    {
        if (!State.Exists && Cadence.FromDefinition(definition).Unusable(DateTime.UtcNow) is { } unusable)
        {
            return new ScheduleCommandResult { ScheduleId = ScheduleId, Accepted = false, Exists = false, Message = unusable };
        }
        if (!State.Exists)
        {
            await RaiseAsync([definition with { MissionId = ScheduleId, Timestamp = DateTime.UtcNow, Seq = 0 }]);
            LogCreated(logger, ScheduleId, definition.Cadence, definition.SessionId);
            await ArmAsync();
        }
        return Result(true, $"Schedule {ScheduleId} is set: {Describe()}.");
    }

    public Task<ScheduleCommandResult> PauseAsync(Actor by) =>
        ChangeAsync(ScheduleStateChanged.Paused, by, s => s.Paused ? $"Schedule {ScheduleId} is already paused." : null,
            $"Paused — schedule {ScheduleId} will not fire until you resume it.");

    public Task<ScheduleCommandResult> ResumeAsync(Actor by) =>
        ChangeAsync(ScheduleStateChanged.Resumed, by, s => s.Paused ? null : $"Schedule {ScheduleId} is not paused.",
            $"Resumed — schedule {ScheduleId} fires again");

    public Task<ScheduleCommandResult> DeleteAsync(Actor by) =>
        ChangeAsync(ScheduleStateChanged.Deleted, by, _ => null, $"Stopped — schedule {ScheduleId} is deleted and will not fire again.");

    private async Task<ScheduleCommandResult> ChangeAsync(string change, Actor by, Func<ScheduleState, string?> refusal, string done)
    {
        if (!State.Exists)
        {
            return new ScheduleCommandResult { ScheduleId = ScheduleId, Accepted = false, Exists = false, Message = $"There is no schedule {ScheduleId}." };
        }
        if (State.Deleted)
        {
            return Result(false, $"Schedule {ScheduleId} was deleted.");
        }
        if (refusal(State) is { } refused)
        {
            return Result(false, refused);
        }
        await RaiseAsync([new ScheduleStateChanged { MissionId = ScheduleId, Timestamp = DateTime.UtcNow, Change = change, Via = by.Via, By = by.PersonId }]);
        LogChanged(logger, ScheduleId, change, by.Via, by.PersonId);
        await ArmAsync();
        var next = NextDue();
        return Result(true, change == ScheduleStateChanged.Resumed ? $"{done} ({Describe()}); next run {When(next)}." : done);
    }

    public async Task WakeAsync()
    {
        if (!State.Exists || State.Deleted)
        {
            return;
        }
        if (!await FireIfDueAsync())
        {
            await SettleLastRunAsync(); // not due: a run that ended while its notice was lost is still compared
        }
        await NotifyLastAsync(); // a crash between the comparison's line and the chat: the chat writes a notice once
        await ArmAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await FireIfDueAsync();
        await ArmAsync();
    }

    public async Task RunEndedAsync(string missionId)
    {
        if (State.RecentMissions.Contains(missionId) && State.LastCompared?.RunMissionId != missionId)
        {
            await CompareAsync(missionId, await aggregates.MissionAsync(missionId));
        }
    }

    private DateTime? NextDue() => ScheduleViews.NextDue(State);

    /// <summary>
    /// Fires once if an occurrence is due — for the latest one reached, however many passed meanwhile. False when none
    /// was due.
    /// </summary>
    private async Task<bool> FireIfDueAsync()
    {
        if (NextDue() is not { } due)
        {
            return false;
        }
        var now = DateTime.UtcNow;
        var tolerance = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, Cadence.ShortestGap(now).Ticks / 10));
        if (due > now + tolerance)
        {
            return false;
        }
        var occurrence = Cadence.LatestUpTo(due, now, Anchor);
        if (State.LastMissionId is { } last && await SettleLastRunAsync() is { } previous)
        {
            if (!previous.Exists)
            {
                // The last firing was written but its mission not made (the process went down in between): make it now.
                await MakeRunAsync(last);
                return true;
            }
            if (!previous.Status.IsTerminal())
            {
                await RaiseAsync([new ScheduleFired
                {
                    MissionId = ScheduleId, Timestamp = now, Due = occurrence,
                    Skipped = $"the previous run, mission {last}, is still {previous.Status.ToWireName().Replace('_', ' ')}",
                }]);
                LogSkipped(logger, ScheduleId, last);
                return true;
            }
        }
        if (await FullAsync() is { } full)
        {
            // The service is full: this firing waits for no one (the next comes at its time), and says why.
            await RaiseAsync([new ScheduleFired { MissionId = ScheduleId, Timestamp = now, Due = occurrence, Skipped = full }]);
            LogSkippedFull(logger, ScheduleId, full);
            return true;
        }
        var missionId = ScheduleIds.RunMissionId(ScheduleId, State.Runs + 1);
        await RaiseAsync([new ScheduleFired { MissionId = ScheduleId, Timestamp = now, Due = occurrence, RunMissionId = missionId }]);
        LogFired(logger, ScheduleId, missionId, occurrence);
        await MakeRunAsync(missionId);
        return true;
    }

    /// <summary>Why the service takes no more work now (as many missions waiting as <c>MaxQueued</c>), or null.</summary>
    private async Task<string?> FullAsync()
    {
        var bound = execution.Value.MaxQueued;
        if (bound <= 0)
        {
            return null;
        }
        var waiting = (await GrainFactory.Queue().GetStatusAsync()).Size;
        return waiting >= bound ? $"{waiting} missions were waiting to run, the most the service keeps waiting ({bound})" : null;
    }

    private async Task MakeRunAsync(string missionId)
    {
        var d = State.Definition!;
        try
        {
            await GrainFactory.Mission(missionId).CreateAsync(new MissionDraft
            {
                SessionId = d.SessionId,
                Objective = d.Objective,
                Constraints = d.Constraints,
                StartUrls = d.StartUrls,
                SourceMessage = d.SourceMessage,
                Priority = d.Priority,
                ScheduleId = ScheduleId,
                Owner = Owners.Of(d.Owner),
            });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The firing is in the log: the next tick (or the next start) makes its mission.
            LogRunNotMade(logger, ex, ScheduleId, missionId);
        }
    }

    /// <summary>
    /// The last run as the log has it (null before the first firing), read once; a run that ended while its notice was
    /// lost (a restart) is compared now, before the next one starts.
    /// </summary>
    private async Task<MissionState?> SettleLastRunAsync()
    {
        if (State.LastMissionId is not { } last)
        {
            return null;
        }
        var run = await aggregates.MissionAsync(last);
        if (State.LastCompared?.RunMissionId != last)
        {
            await CompareAsync(last, run);
        }
        return run;
    }

    private async Task CompareAsync(string missionId, MissionState run)
    {
        if (!run.Status.IsTerminal())
        {
            return;
        }
        var compared = RunComparison.Compare(ScheduleId, missionId, run, State.LastCompleted);
        await RaiseAsync([compared]);
        Notify(compared, run);
    }

    /// <summary>Tells the chat of a comparison when something changed or the run failed (the chat writes each run's notice once).</summary>
    private void Notify(ScheduleRunCompared compared, MissionState run)
    {
        if (!compared.Changed && compared.Status == MissionStatus.Completed)
        {
            return;
        }
        var notice = new MissionOutcomeNotice
        {
            MissionId = compared.RunMissionId, Status = run.Status, Attempt = run.Attempt, Text = RunComparison.Notice(ScheduleId, Describe(), compared, run),
            ScheduleId = ScheduleId,
        };
        _ = GrainFactory.Session(State.Definition!.SessionId).PostMissionOutcomeAsync(notice).ContinueWith(
            t => LogNotifyFailed(logger, t.Exception!, ScheduleId),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>The last comparison's notice, again: if the process went down between its line and the chat's, this is the one that lands.</summary>
    private async Task NotifyLastAsync()
    {
        if (State.LastCompared is { } last && (last.Changed || last.Status != MissionStatus.Completed))
        {
            Notify(last, await aggregates.MissionAsync(last.RunMissionId));
        }
    }

    /// <summary>The reminder set for the next occurrence, or gone while the schedule is paused or deleted.</summary>
    private async Task ArmAsync()
    {
        if (NextDue() is not { } next)
        {
            if (await this.GetReminder(Reminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
            return;
        }
        var now = DateTime.UtcNow;
        var dueIn = next > now ? next - now : TimeSpan.Zero;
        // The period is a fallback only (each tick sets the next due time again); Orleans wants it no shorter than its minimum.
        var period = Cadence.ShortestGap(now);
        if (period < options.Value.MinimumPeriod)
        {
            period = options.Value.MinimumPeriod;
        }
        await this.RegisterOrUpdateReminder(Reminder, dueIn, period);
    }

    private string Describe() => $"{State.Definition!.Objective.Type} on {string.Join(", ", State.Definition.Constraints.AllowedDomains)} {State.Definition.Cadence}";

    private static string When(DateTime? at) => at is { } t ? $"at {t:yyyy-MM-dd HH:mm:ss} UTC" : "never";

    private ScheduleCommandResult Result(bool accepted, string message) =>
        new() { ScheduleId = ScheduleId, Accepted = accepted, Exists = true, Message = message, NextRun = NextDue() };

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} created ({Cadence}) in session {SessionId}")]
    private static partial void LogCreated(ILogger logger, string scheduleId, string cadence, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} {Change} (via {Via}, by {PersonId})")]
    private static partial void LogChanged(ILogger logger, string scheduleId, string change, string via, string personId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} fired for {Due:o}: mission {MissionId}")]
    private static partial void LogFired(ILogger logger, string scheduleId, string missionId, DateTime due);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} skipped a firing: mission {MissionId} still runs")]
    private static partial void LogSkipped(ILogger logger, string scheduleId, string missionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId} skipped a firing: {Why}")]
    private static partial void LogSkippedFull(ILogger logger, string scheduleId, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId} could not make mission {MissionId} yet; its next tick tries again")]
    private static partial void LogRunNotMade(ILogger logger, Exception ex, string scheduleId, string missionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId} could not post a change to its chat")]
    private static partial void LogNotifyFailed(ILogger logger, Exception ex, string scheduleId);
}
