using System.Diagnostics;
using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>Run on the embedded default (one silo over the logs) and in cluster mode (three silos on PostgreSQL and Redis).</summary>
public abstract class CancelRetryScenarios(MissionClusterHost host, Xunit.Abstractions.ITestOutputHelper output)
{
    private MissionClusterHost Host => host;

    [Fact]
    public async Task Cancelled_queued_mission_leaves_the_queue_and_never_runs()
    {
        var gate = Guid.NewGuid().ToString("N");
        var running = new List<string>();
        for (var i = 0; i < MissionClusterHost.Concurrency; i++)
        {
            running.Add(await Host.CreateAsync("gate:" + gate));
        }
        foreach (var id in running)
        {
            await Host.WaitForStatusAsync(id, s => s == MissionStatus.Active, "active");
        }
        var waiting = await Host.CreateAsync("ok");

        var result = await Host.Mission(waiting).CancelAsync(Actor.Api(Owners.Local));

        Assert.True(result.Accepted);
        Assert.Equal(MissionStatus.Cancelled, result.Status);
        // Out of the queue at once on one silo; across silos the queue may hear of it a moment later.
        await Eventually.WaitAsync(async () => (await Host.Queue.GetStatusAsync()).Size, size => size == 0, TimeSpan.FromSeconds(10), "the queue to drop the cancelled mission");
        Host.Executor.Open(gate);
        foreach (var id in running)
        {
            await Host.WaitForTerminalAsync(id);
        }
        Assert.Equal(0, Host.Executor.RunsOf(waiting));
        Assert.Equal(MissionStatus.Cancelled, (await Host.Mission(waiting).GetViewAsync())!.Status);
    }

    [Fact]
    public async Task Cancelled_running_mission_stops_promptly_and_is_never_retried()
    {
        var id = await Host.CreateAsync("hang", maxDurationSeconds: 600);
        await Host.WaitForStatusAsync(id, s => s == MissionStatus.Active, "active");
        var clock = Stopwatch.StartNew();

        var result = await Host.Mission(id).CancelAsync(Actor.Api(Owners.Local));
        var view = await Host.WaitForTerminalAsync(id);

        Assert.True(result.Accepted);
        Assert.Equal(MissionStatus.Cancelled, view.Status);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 5);
        output.WriteLine($"A running mission was cancelled (cancel call to terminal line on disk) in {clock.Elapsed.TotalMilliseconds:0} ms.");
        Assert.Contains("partial", view.ExecutionResult!.FinalAnswer);
        Assert.Single(view.Timeline, e => e is MissionStatusUpdated { Status: MissionStatus.Cancelled });
        await Host.Queue.EnqueueAsync(id);
        await Eventually.WaitAsync(async () => await Host.Queue.GetStatusAsync(), s => s.Size == 0 && s.InFlight == 0,
            TimeSpan.FromSeconds(10), "the queue to drop the cancelled mission");
        Assert.Equal(1, Host.Executor.RunsOf(id));
    }

    [Fact]
    public async Task Retry_runs_a_failed_mission_again_as_its_next_attempt()
    {
        var id = await Host.CreateAsync("fail");
        await Host.WaitForTerminalAsync(id);

        var result = await Host.Mission(id).RetryAsync(Actor.Api(Owners.Local));
        await Host.WaitForStatusAsync(id, s => s.IsTerminal(), "failed again");
        var view = await Eventually.WaitAsync(async () => (await Host.Mission(id).GetViewAsync())!,
            v => v.Status == MissionStatus.Failed && v.Attempt == 2, TimeSpan.FromSeconds(10), "attempt 2 to fail");

        Assert.True(result.Accepted);
        Assert.Equal(2, Host.Executor.RunsOf(id));
        Assert.Equal(["queued", "execution_started", "execution_failed", "retry_requested", "execution_started", "execution_failed"],
            view.Timeline.OfType<MissionStatusUpdated>().Select(u => u.Reason));
        Assert.Equal([1, 1, 1, 2, 2, 2], view.Timeline.OfType<MissionStatusUpdated>().Select(u => u.Attempt));
    }

    [Fact]
    public async Task Finished_missions_refuse_cancel_and_completed_ones_refuse_retry()
    {
        var id = await Host.CreateAsync("ok");
        await Host.WaitForTerminalAsync(id);
        var version = await Host.VersionOfAsync(id);

        var cancel = await Host.Mission(id).CancelAsync(Actor.Api(Owners.Local));
        var retry = await Host.Mission(id).RetryAsync(Actor.Api(Owners.Local));
        var unknown = await Host.Mission(Ids.NewMissionId()).CancelAsync(Actor.Api(Owners.Local));

        Assert.False(cancel.Accepted);
        Assert.Contains("already ended", cancel.Message);
        Assert.False(retry.Accepted);
        Assert.Contains("only a failed, timed-out or cancelled mission", retry.Message);
        Assert.False(unknown.Accepted);
        Assert.Null(unknown.Status);
        Assert.Equal(version, await Host.VersionOfAsync(id));
    }

    [Fact]
    public async Task Chat_commands_report_cancel_and_retry_the_sessions_missions_and_start_none()
    {
        var session = "s-" + Guid.NewGuid().ToString("N");
        var chat = Host.Client.GetGrain<IChatSessionGrain>(session);
        var started = await chat.SendAsync(new ChatRequest { Message = "research x on example.org" });
        var missionId = started.MissionId!;
        await Host.WaitForTerminalAsync(missionId);
        var missions = await Host.MissionCountAsync();

        var status = await chat.SendAsync(new ChatRequest { Message = "what are you working on?" });
        var cancel = await chat.SendAsync(new ChatRequest { Message = "cancel that" });
        var retry = await chat.SendAsync(new ChatRequest { Message = $"retry {missionId[..8]}" });

        Assert.Equal(ChatResponse.Reply, status.Type);
        Assert.Contains($"{missionId[..8]} — completed", status.Message);
        Assert.Equal(missionId, cancel.MissionId);
        Assert.Contains("already ended", cancel.Message);
        Assert.Contains("only a failed", retry.Message);
        Assert.Equal(missions, await Host.MissionCountAsync());
    }
}

[Collection(ClusterCollection.Name)]
public sealed class CancelRetryTests(ClusterFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : CancelRetryScenarios(fixture.Host, output);

[Collection(StoreClusterCollection.Name)]
public sealed class CancelRetryOnStoreTests(StoreClusterFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : CancelRetryScenarios(fixture.Host, output);
