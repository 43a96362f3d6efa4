using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>
/// With one slot, start order is dispatch order: with more, missions handed out in the same instant may start in
/// either order, so FIFO is checked on a cluster of its own with a concurrency limit of 1.
/// </summary>
public sealed class FifoOrderTests
{
    [Fact]
    public async Task Missions_start_in_the_order_they_were_queued()
    {
        using var data = new TempDirectory();
        await using var host = await MissionClusterHost.StartAsync(data.Path, concurrency: 1);
        var blocker = await host.CreateAsync("gate:first");
        await host.WaitForStatusAsync(blocker, s => s == MissionStatus.Active, "active");
        var queued = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            queued.Add(await host.CreateAsync("ok"));
        }

        host.Executor.Open("first");
        foreach (var id in queued)
        {
            await host.WaitForTerminalAsync(id);
        }

        Assert.Equal(queued, host.Executor.Runs.Select(r => r.MissionId).Where(queued.Contains));
    }

    [Fact]
    public async Task Higher_priority_missions_start_first()
    {
        using var data = new TempDirectory();
        await using var host = await MissionClusterHost.StartAsync(data.Path, concurrency: 1);
        var blocker = await host.CreateAsync("gate:first");
        await host.WaitForStatusAsync(blocker, s => s == MissionStatus.Active, "active");
        var low = await host.CreateAsync("ok", priority: MissionPriority.Low);
        var normal = await host.CreateAsync("ok");
        var high = await host.CreateAsync("ok", priority: MissionPriority.High);

        host.Executor.Open("first");
        foreach (var id in new[] { low, normal, high })
        {
            await host.WaitForTerminalAsync(id);
        }

        Assert.Equal([high, normal, low], host.Executor.Runs.Select(r => r.MissionId).Where(new[] { low, normal, high }.Contains));
        Assert.Equal(MissionPriority.High, (await host.Mission(high).GetViewAsync())!.Priority);
    }
}
