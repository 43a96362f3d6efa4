using System.Diagnostics;

namespace Missions.Tests.Cluster;

/// <summary>The budget is a hard deadline and a cancel always lands, whatever the executor's code is doing.</summary>
/// <summary>Run on the embedded default (one silo over the logs) and in cluster mode (three silos on PostgreSQL and Redis).</summary>
public abstract class HardDeadlineScenarios(MissionClusterHost host)
{
    private MissionClusterHost Host => host;

    [Fact]
    public async Task A_run_deaf_to_its_deadline_is_recorded_timed_out_and_its_slot_freed()
    {
        var id = await Host.CreateAsync("stuck", maxDurationSeconds: 5);
        var active = await Host.WaitForStatusAsync(id, s => s == MissionStatus.Active, "active");

        var view = await Host.WaitForTerminalAsync(id);

        Assert.Equal(MissionStatus.TimedOut, view.Status);
        var ran = view.EndTime!.Value - active.StartTime!.Value;
        Assert.InRange(ran.TotalSeconds, 5, 5 + 3 + 1.5); // the budget, the stop grace, a little slack
        Assert.Contains("did not stop within 3 s and was abandoned", view.Error);
        // Its slot is free while its thread is still stuck (for 20 s): nothing is in flight, and new missions run.
        await Support.Eventually.WaitAsync(Host.Queue.GetStatusAsync, q => q.InFlight == 0, TimeSpan.FromSeconds(5), "the slot to be free");
        var next = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Host.CreateAsync("ok")));
        foreach (var n in next)
        {
            Assert.Equal(MissionStatus.Completed, (await Host.WaitForTerminalAsync(n)).Status);
        }
    }

    [Fact]
    public async Task Cancelling_a_run_deaf_to_its_token_is_recorded_within_five_seconds()
    {
        var id = await Host.CreateAsync("stuck", maxDurationSeconds: 60);
        await Host.WaitForStatusAsync(id, s => s == MissionStatus.Active, "active");
        await Support.Eventually.WaitAsync(() => Host.Executor.RunsOf(id) == 1, TimeSpan.FromSeconds(5), "the executor to be in its loop");

        var clock = Stopwatch.StartNew();
        var result = await Host.Mission(id).CancelAsync(Actor.Api(Owners.Local));
        var view = await Host.WaitForTerminalAsync(id);

        Assert.True(result.Accepted);
        Assert.Equal(MissionStatus.Cancelled, view.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the cancel took {clock.Elapsed.TotalSeconds:0.0} s to be recorded");
        Assert.Single(view.Timeline, e => e is MissionStatusUpdated { Status: MissionStatus.Cancelled });
    }
}

[Collection(ClusterCollection.Name)]
public sealed class HardDeadlineTests(ClusterFixture fixture) : HardDeadlineScenarios(fixture.Host);

[Collection(StoreClusterCollection.Name)]
public sealed class HardDeadlineOnStoreTests(StoreClusterFixture fixture) : HardDeadlineScenarios(fixture.Host);
