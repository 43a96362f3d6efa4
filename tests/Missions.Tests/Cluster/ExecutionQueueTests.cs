using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>Run on the embedded default (one silo over the logs) and in cluster mode (three silos on PostgreSQL and Redis).</summary>
public abstract class ExecutionQueueScenarios(MissionClusterHost host)
{
    private MissionClusterHost Host => host;

    /// <summary>Fills every slot of the queue with missions that wait on one gate.</summary>
    private async Task<(string Gate, string[] Ids)> FillSlotsAsync()
    {
        var gate = Guid.NewGuid().ToString("N");
        var ids = new string[MissionClusterHost.Concurrency];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = await Host.CreateAsync("gate:" + gate);
        }
        foreach (var id in ids)
        {
            await Host.WaitForStatusAsync(id, s => s == MissionStatus.Active, "active");
        }
        return (gate, ids);
    }

    [Fact]
    public async Task A_mission_that_finds_a_free_slot_is_created_queued_and_started_in_one_call()
    {
        var gate = Guid.NewGuid().ToString("N");
        var id = Ids.NewMissionId();
        var dispatchedBefore = (await Host.Queue.GetStatusAsync()).Dispatched;

        var created = await Host.Mission(id).CreateAsync(new MissionDraft
        {
            SessionId = "s-" + Guid.NewGuid().ToString("N"),
            Objective = new Objective { Type = "research", Description = "gate:" + gate },
            Constraints = new MissionConstraints { AllowedDomains = ["example.org"], MaxPages = 1 },
            SourceMessage = "gate:" + gate,
        });

        // Active when the call returns: the mission wrote its start in the creating call, not on a later dispatch.
        Assert.Equal(MissionStatus.Active, created.Status);
        var view = (await Host.Mission(id).GetViewAsync())!;
        Assert.Equal(["mission_created", "queued", "execution_started"], view.Timeline.Select(e => e is MissionStatusUpdated u ? u.Reason : "mission_created"));
        Assert.Single(view.Timeline.Select(e => e.TraceId).Distinct());
        var queue = await Host.Queue.GetStatusAsync();
        Assert.Equal(dispatchedBefore + 1, queue.Dispatched);
        Assert.True(queue.InFlight >= 1);

        Host.Executor.Open(gate);
        Assert.Equal(MissionStatus.Completed, (await Host.WaitForTerminalAsync(id)).Status);
        Assert.Equal(1, Host.Executor.RunsOf(id));
        await Eventually.WaitAsync(async () => await Host.Queue.GetStatusAsync(), s => s.InFlight == 0,
            TimeSpan.FromSeconds(10), "the slot to be freed");
    }

    [Fact]
    public async Task Duplicate_enqueue_while_running_is_ignored()
    {
        var gate = Guid.NewGuid().ToString("N");
        var id = await Host.CreateAsync("gate:" + gate);
        await Host.WaitForStatusAsync(id, s => s == MissionStatus.Active, "active");

        var again = await Host.Queue.EnqueueAsync(id);

        Assert.True(again.Duplicate);
        Host.Executor.Open(gate);
        Assert.Equal(MissionStatus.Completed, (await Host.WaitForTerminalAsync(id)).Status);
        Assert.Equal(1, Host.Executor.RunsOf(id));
    }

    [Fact]
    public async Task Duplicate_enqueue_while_queued_is_ignored()
    {
        var (gate, running) = await FillSlotsAsync();
        var waiting = await Host.CreateAsync("ok");
        Assert.Equal(MissionStatus.Queued, (await Host.Mission(waiting).GetViewAsync())!.Status);

        var again = await Host.Queue.EnqueueAsync(waiting);

        Assert.True(again.Duplicate);
        Assert.Equal(1, (await Host.Queue.GetStatusAsync()).Size);
        Host.Executor.Open(gate);
        foreach (var id in running.Append(waiting))
        {
            await Host.WaitForTerminalAsync(id);
        }
        Assert.Equal(1, Host.Executor.RunsOf(waiting));
    }

    [Fact]
    public async Task Concurrency_limit_holds()
    {
        Host.Executor.ResetMaxConcurrent();
        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add(await Host.CreateAsync("sleep:100"));
        }

        var status = await Host.Queue.GetStatusAsync();
        foreach (var id in ids)
        {
            await Host.WaitForTerminalAsync(id);
        }

        Assert.Equal(MissionClusterHost.Concurrency, status.ConcurrencyLimit);
        Assert.InRange(status.InFlight, 0, MissionClusterHost.Concurrency);
        Assert.Equal(MissionClusterHost.Concurrency, Host.Executor.MaxConcurrent);
    }

    [Fact]
    public async Task Terminal_mission_never_runs_again()
    {
        var id = await Host.CreateAsync("ok");
        await Host.WaitForTerminalAsync(id);

        await Host.Queue.EnqueueAsync(id);
        await Eventually.WaitAsync(async () => await Host.Queue.GetStatusAsync(), s => s.InFlight == 0 && s.Size == 0,
            TimeSpan.FromSeconds(10), "the queue to drop the finished mission");

        Assert.Equal(1, Host.Executor.RunsOf(id));
        Assert.Equal(MissionStatus.Completed, (await Host.Mission(id).GetViewAsync())!.Status);
    }
}

[Collection(ClusterCollection.Name)]
public sealed class ExecutionQueueTests(ClusterFixture fixture) : ExecutionQueueScenarios(fixture.Host);

[Collection(StoreClusterCollection.Name)]
public sealed class ExecutionQueueOnStoreTests(StoreClusterFixture fixture) : ExecutionQueueScenarios(fixture.Host);
