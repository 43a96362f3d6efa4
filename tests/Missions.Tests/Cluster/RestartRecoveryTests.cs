using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>A new cluster over the same data directory: it runs what was unfinished and never what was finished.</summary>
public sealed class RestartRecoveryTests
{
    [Fact]
    public async Task New_cluster_runs_unfinished_missions_and_never_finished_ones()
    {
        using var data = new TempDirectory();
        string finished, interrupted1, interrupted2;
        List<string> queued = [];

        await using (var before = await MissionClusterHost.StartAsync(data.Path))
        {
            finished = await before.CreateAsync("ok");
            await before.WaitForTerminalAsync(finished);
            // Both slots hold missions that never finish in this cluster; the rest wait in the queue.
            interrupted1 = await before.CreateAsync("gate:never");
            interrupted2 = await before.CreateAsync("gate:never");
            await before.WaitForStatusAsync(interrupted1, s => s == MissionStatus.Active, "active");
            await before.WaitForStatusAsync(interrupted2, s => s == MissionStatus.Active, "active");
            for (var i = 0; i < 3; i++)
            {
                queued.Add(await before.CreateAsync("ok"));
            }
        }

        await using var after = await MissionClusterHost.StartAsync(data.Path);
        // The same scripts: "gate:never" now passes because this executor opens the gate.
        after.Executor.Open("never");

        foreach (var id in queued)
        {
            var view = await after.WaitForTerminalAsync(id);
            Assert.Equal(MissionStatus.Completed, view.Status);
            Assert.Equal(1, view.Attempt);
        }
        foreach (var id in new[] { interrupted1, interrupted2 })
        {
            var view = await after.WaitForTerminalAsync(id);
            Assert.Equal(MissionStatus.Completed, view.Status);
            Assert.Equal(2, view.Attempt);
            Assert.Contains(view.Timeline, e => e is MissionStatusUpdated { Reason: "interrupted", Attempt: 2 });
            Assert.Single(view.Timeline, e => e is MissionStatusUpdated { Status: MissionStatus.Completed });
        }
        Assert.Equal(0, after.Executor.RunsOf(finished));
        Assert.Equal(4, (await after.Mission(finished).GetViewAsync())!.Timeline.Count);
    }
}
