using Microsoft.Extensions.Options;
using Missions.Execution;
using Missions.Log;

namespace Missions.Queue;

/// <summary>
/// Serializes dispatch: a mission is queued once (duplicates are refused while it is queued or running), missions
/// start by priority, then in FIFO order (with ageing, see <see cref="PriorityLanes"/>) as slots free up under the
/// concurrency limit, and the queue never waits on a mission's work
/// inside its own turn — it hands work out and is called back.
/// Its state is derived, not stored: on activation it rebuilds itself from the log's index of unfinished missions,
/// and a periodic check does the same, so nothing queued before a crash or a lost message is left behind.
/// With <c>QueuePartitions</c> above 1 each activation is one partition: it holds its own missions (by id, see
/// <see cref="QueuePartitions"/>) under its share of the limit, and the first also answers for the whole queue's status
/// and does the chores (proposals that expired, executors' workspaces). Partitions are placed on different silos.
/// </summary>
[QueuePartitionPlacement]
public sealed partial class ExecutionQueueGrain(
    IMissionStore log,
    IMissionWorkspace workspaces,
    IOptions<ExecutionOptions> options,
    Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime,
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    ILogger<ExecutionQueueGrain> logger)
    : Grain, IExecutionQueueGrain, IRemindable
{
    private const string KeepAliveReminder = "keep-alive";

    private PriorityLanes _waiting = null!;

    /// <summary>Running missions and when their lease runs out.</summary>
    private readonly Dictionary<string, DateTime> _running = new(StringComparer.Ordinal);

    private long _dispatched;
    private IGrainTimer? _sweep;
    private DateTime _homeCheckedAt = DateTime.UtcNow;

    /// <summary>Which partition this activation is (its key less <see cref="IExecutionQueueGrain.Key"/>), read from the key once, at activation.</summary>
    private int Partition { get; set; }

    private int Partitions => Math.Max(1, options.Value.QueuePartitions);

    private int ConcurrencyLimit => Math.Max(1, QueuePartitions.Limit(Math.Max(1, options.Value.MaxConcurrency), Partitions, Partition));

    /// <summary>Whether a mission is this partition's to run.</summary>
    private bool Mine(string missionId) => QueuePartitions.Of(missionId, Partitions) == Partition;

    /// <summary>The lease until a mission says what its budget is: the longest budget there can be.</summary>
    private TimeSpan Lease => TimeSpan.FromSeconds(MissionConstraints.MaxMaxDurationSeconds + options.Value.LeaseGraceSeconds);

    /// <summary>The lease of a mission whose budget is known: its budget plus grace, from now.</summary>
    private DateTime LeaseFor(int budgetSeconds) => DateTime.UtcNow.AddSeconds(budgetSeconds + options.Value.LeaseGraceSeconds);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Partition = (int)(this.GetPrimaryKeyLong() - IExecutionQueueGrain.Key);
        _waiting = new PriorityLanes(TimeSpan.FromSeconds(options.Value.AgeingSeconds));
        if (Partition >= Partitions)
        {
            // A partition of an earlier configuration with more of them, woken by its reminder: nothing is its any more.
            if (await this.GetReminder(KeepAliveReminder, cancellationToken) is { } stale)
            {
                await this.UnregisterReminder(stale, cancellationToken);
            }
            LogRetired(logger, Partition, Partitions);
            DeactivateOnIdle();
            return;
        }
        // A reminder outlives the activation: if this silo goes away, it brings the queue back elsewhere.
        await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), cancellationToken);
        var sweep = TimeSpan.FromSeconds(Math.Max(0.05, options.Value.QueueSweepSeconds));
        _sweep = this.RegisterGrainTimer(SweepAsync, sweep, sweep);
        // Runs that were going when the queue went (its silo stopped or was lost) hold their slots first, asked after
        // in place: a still-running one keeps its slot, a lost one starts again as its next attempt. Queued work is
        // dispatched only into what is left, so a queue coming back never lets more than the limit run.
        var now = DateTime.UtcNow;
        foreach (var missionId in (await log.ActiveAsync()).Where(Mine))
        {
            Hold(missionId, now + Lease);
            _ = StartAsync(missionId);
        }
        var recovered = await ReconcileAsync();
        LogRecovered(logger, Partition, Partitions, recovered); // also says where the queue lives
        Dispatch();
        SweepWorkspaces();
        ExpireProposals();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (Partition < Partitions)
        {
            Missions.Telemetry.MissionsTelemetry.SetQueue(0, 0, Partition); // its counts go with it (to another silo, when it moves)
        }
        return Task.CompletedTask;
    }

    public Task<EnqueueResult> EnqueueAsync(string missionId, MissionPriority priority = MissionPriority.Normal)
    {
        if (_waiting.Contains(missionId) || _running.ContainsKey(missionId))
        {
            return Task.FromResult(new EnqueueResult { Duplicate = true });
        }
        _waiting.Add(missionId, priority, DateTime.UtcNow);
        Dispatch();
        return Task.FromResult(new EnqueueResult { Duplicate = false });
    }

    public Task<SlotClaim> ClaimAsync(string missionId, MissionPriority priority, int budgetSeconds)
    {
        // Free slots with nothing waiting: Dispatch leaves no mission waiting while a slot is free, so the
        // claimant is first in line and saves the round of being started.
        if (_waiting.Count == 0 && !_running.ContainsKey(missionId) && HasFreeSlot)
        {
            Hold(missionId, LeaseFor(budgetSeconds));
            Missions.Telemetry.MissionsTelemetry.SetQueue(_waiting.Count, _running.Count, Partition);
            return Task.FromResult(SlotClaim.Granted);
        }
        _ = EnqueueAsync(missionId, priority); // a duplicate is already in hand: queued or running
        return Task.FromResult(SlotClaim.Queued);
    }

    public Task CompleteAsync(string missionId)
    {
        _running.Remove(missionId);
        Dispatch();
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string missionId)
    {
        _waiting.Remove(missionId);
        return Task.CompletedTask;
    }

    public async Task<QueueStatus> GetStatusAsync()
    {
        var own = await GetPartitionStatusAsync();
        if (Partitions == 1 || Partition != 0)
        {
            return own;
        }
        // The others, each within two seconds: a partition on a frozen silo is counted as not answering, not waited for.
        var others = GrainFactory.QueuePartitionsOf(Partitions).Skip(1).Select(queue => queue.GetPartitionStatusAsync()).ToList();
        await ((Task)Task.WhenAll(others)).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        var answered = others.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).Prepend(own).ToList();
        foreach (var late in others.Where(t => !t.IsCompletedSuccessfully))
        {
            _ = late.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
        return new QueueStatus
        {
            Size = answered.Sum(s => s.Size),
            InFlight = answered.Sum(s => s.InFlight),
            ConcurrencyLimit = Math.Max(1, options.Value.MaxConcurrency),
            Dispatched = answered.Sum(s => s.Dispatched),
            Partitions = Partitions,
            PartitionsNotAnswering = others.Count(t => !t.IsCompletedSuccessfully),
        };
    }

    public Task<QueueStatus> GetPartitionStatusAsync() => Task.FromResult(new QueueStatus
    {
        Size = _waiting.Count,
        InFlight = _running.Count,
        ConcurrencyLimit = ConcurrencyLimit,
        Dispatched = _dispatched,
        Partitions = Partitions,
    });

    public Task EnsureActiveAsync() => Task.CompletedTask;

    public async Task SiloLostAsync()
    {
        // Every run is asked after in place, keeping its slot meanwhile: one its silo took with it starts again as its
        // next attempt (its mission comes back on a silo that is here), one still running says so, one that ended
        // gives the slot back. Slots are never freed before the runs are known to be gone, so a lost silo (or a
        // restarted one reporting silos long gone) never lets more than the limit run at once.
        LogAskingAfterRuns(logger, _running.Count);
        var now = DateTime.UtcNow;
        foreach (var missionId in _running.Keys.ToList())
        {
            _running[missionId] = now + Lease;
            _ = StartAsync(missionId);
        }
        await ReconcileAsync();
        Dispatch();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Dispatch();
        SweepWorkspaces();
        ExpireProposals();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Off the queue's turn, each waiting proposal is asked to end if its time is up. A proposal's own activation
    /// ends it on time; this minutely check catches the ones whose activation went (a restart, a lost silo).
    /// </summary>
    private void ExpireProposals()
    {
        if (Partition != 0)
        {
            return; // the first partition's chore
        }
        var grains = GrainFactory; // the grain's own factory is for its turns only
        _ = Task.Run(async () => await ExpireProposalsAsync(grains));
    }

    private async Task ExpireProposalsAsync(IGrainFactory grains)
    {
        try
        {
            foreach (var missionId in await log.ProposedAsync())
            {
                await grains.Mission(missionId).ExpireIfDueAsync();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogExpiryCheckFailed(logger, ex);
        }
    }

    private DateTime _workspacesSweptAt;

    /// <summary>Every ten minutes at most, off the queue's turn: what executors kept past its retention goes.</summary>
    private void SweepWorkspaces()
    {
        if (Partition != 0 || DateTime.UtcNow - _workspacesSweptAt < TimeSpan.FromMinutes(10))
        {
            return;
        }
        _workspacesSweptAt = DateTime.UtcNow;
        var age = TimeSpan.FromHours(options.Value.ToolCallRetentionHours);
        _ = Task.Run(() => workspaces.SweepOlderThanAsync(age));
    }

    /// <summary>Hands out work while slots are free. Never awaits a mission inside this turn.</summary>
    private void Dispatch()
    {
        try
        {
            DispatchFree();
        }
        finally
        {
            Missions.Telemetry.MissionsTelemetry.SetQueue(_waiting.Count, _running.Count, Partition);
        }
    }

    private void DispatchFree()
    {
        var now = DateTime.UtcNow;
        while (HasFreeSlot && _waiting.TryTake(now, out var missionId))
        {
            Hold(missionId, now + Lease);
            _ = StartAsync(missionId);
        }
    }

    /// <summary>A slot is free, and the silo is not shutting down (then nothing new starts: what waits stays queued in the log for the next start).</summary>
    private bool HasFreeSlot => _running.Count < ConcurrencyLimit && !lifetime.ApplicationStopping.IsCancellationRequested;

    /// <summary>Gives a mission a slot until its lease runs out.</summary>
    private void Hold(string missionId, DateTime leaseUntil)
    {
        _running[missionId] = leaseUntil;
        _dispatched++;
    }

    /// <summary>How often a start is asked for before its slot is given up: a call can fail for a moment after a silo is lost (the cluster still routes to it).</summary>
    private const int StartAsks = 5;

    private async Task StartAsync(string missionId)
    {
        for (var ask = 1; ; ask++)
        {
            try
            {
                var start = await GrainFactory.Mission(missionId).StartExecutionAsync();
                if (start.Result == StartExecutionResult.NotRunnable)
                {
                    _running.Remove(missionId);
                    Dispatch();
                }
                else if (_running.ContainsKey(missionId))
                {
                    _running[missionId] = LeaseFor(start.BudgetSeconds);
                }
                return;
            }
            catch (Exception ex) when (ask < StartAsks && _running.ContainsKey(missionId))
            {
                // Unknown whether it runs (the call may have gone to a silo just lost, its run going on or gone):
                // it keeps its slot and is asked again, so a slot is never handed on while its run may still go.
                LogStartAskedAgain(logger, missionId, ask, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(ask));
                if (!_running.ContainsKey(missionId))
                {
                    return; // it ended meanwhile and gave the slot back
                }
            }
            catch (Exception ex)
            {
                // Leave it to the next sweep: it finds the mission unfinished in the log and queues it again.
                if (_running.Remove(missionId))
                {
                    LogStartFailed(logger, ex, missionId);
                    Dispatch();
                }
                return;
            }
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        MoveHomeIfAway();
        var now = DateTime.UtcNow;
        foreach (var (missionId, deadline) in _running.Where(r => r.Value < now).ToList())
        {
            // The run was lost (its silo stopped answering): the reconciling below queues it again, as it is still
            // unfinished. If it is in fact still running, the mission says so and keeps its slot.
            LogLeaseExpired(logger, missionId);
            _running.Remove(missionId);
        }
        await ReconcileAsync();
        Dispatch();
    }

    /// <summary>
    /// Partitions are placed one a silo (<see cref="QueuePartitionPlacement"/>), but a partition activated while its
    /// silo was not there yet (the first silo up holds them all) or after its silo was lost stays where it was put.
    /// Every ten seconds a partition away from its silo moves there: Orleans migrates it when it is idle, and the new
    /// activation rebuilds itself from the log as after a silo loss (runs keep their slots until asked after).
    /// </summary>
    private void MoveHomeIfAway()
    {
        if (Partitions == 1 || DateTime.UtcNow - _homeCheckedAt < TimeSpan.FromSeconds(10))
        {
            return;
        }
        _homeCheckedAt = DateTime.UtcNow;
        var silos = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToList();
        if (silos.Count > 1 && QueuePartitionPlacement.HomeOf(Partition, silos) is var home && !home.Equals(localSilo.SiloAddress))
        {
            LogMovingHome(logger, Partition, Partitions, home);
            this.MigrateOnIdle();
        }
    }

    /// <summary>
    /// Queues every unfinished mission of the log that the queue does not know and that is due (a retry waits
    /// out its backoff here, durably: its due time is in the log); returns how many.
    /// </summary>
    private async Task<int> ReconcileAsync()
    {
        var added = 0;
        var now = DateTime.UtcNow;
        foreach (var (missionId, priority) in await log.UnfinishedAsync(dueBy: now))
        {
            if (Mine(missionId) && !_waiting.Contains(missionId) && !_running.ContainsKey(missionId))
            {
                _waiting.Add(missionId, priority, now);
                added++;
            }
        }
        return added;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Execution queue activated on this silo (partition {Partition} of {Partitions}) with {Count} unfinished missions from the log")]
    private static partial void LogRecovered(ILogger logger, int partition, int partitions, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Execution queue (partition {Partition} of {Partitions}) moves to the silo it belongs on, {Silo}")]
    private static partial void LogMovingHome(ILogger logger, int partition, int partitions, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Execution queue partition {Partition} is not one of the {Partitions} configured now; it stops")]
    private static partial void LogRetired(ILogger logger, int partition, int partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting mission {MissionId} failed; it will be queued again")]
    private static partial void LogStartFailed(ILogger logger, Exception ex, string missionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting mission {MissionId} failed (ask {Ask}: {Reason}); it keeps its slot and is asked again")]
    private static partial void LogStartAskedAgain(ILogger logger, string missionId, int ask, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A silo left the cluster: asking after the {Count} running missions")]
    private static partial void LogAskingAfterRuns(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lease of mission {MissionId} expired; it is queued again")]
    private static partial void LogLeaseExpired(ILogger logger, string missionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The check for expired proposals failed; the next one (in a minute) tries again")]
    private static partial void LogExpiryCheckFailed(ILogger logger, Exception ex);
}
