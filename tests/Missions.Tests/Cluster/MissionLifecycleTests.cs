using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class MissionLifecycleTests(ClusterFixture fixture)
{
    private MissionClusterHost Host => fixture.Host;

    [Fact]
    public async Task Cached_grain_references_address_the_same_grains_as_the_factory()
    {
        foreach (var id in new[] { "ref-a", "ref-b" }) // the first resolves the types, the second reuses them
        {
            var cached = (GrainReference)(object)Host.Client.Mission(id);
            var plain = (GrainReference)(object)Host.Client.GetGrain<IMissionGrain>(id);
            Assert.Equal(plain.GrainId, cached.GrainId);
            Assert.Equal(plain.InterfaceType, cached.InterfaceType);
            Assert.Equal(((GrainReference)(object)Host.Client.GetGrain<IChatSessionGrain>(id)).GrainId, ((GrainReference)(object)Host.Client.Session(id)).GrainId);
        }
        for (var i = 0; i < 2; i++)
        {
            var queue = (GrainReference)(object)Host.Client.Queue();
            Assert.Equal(((GrainReference)(object)Host.Queue).GrainId, queue.GrainId);
            Assert.Equal(((GrainReference)(object)Host.Queue).InterfaceType, queue.InterfaceType);
        }
        Assert.Null(await Host.Client.Mission("ref-missing").GetViewAsync());
        Assert.Throws<ArgumentException>(() => Host.Client.Mission(" "));
    }

    [Fact]
    public async Task Mission_runs_from_queued_to_completed_and_its_timeline_is_the_log()
    {
        var id = await Host.CreateAsync("ok");

        var view = await Host.WaitForTerminalAsync(id);

        Assert.Equal(MissionStatus.Completed, view.Status);
        Assert.Equal(1, view.Attempt);
        Assert.Equal($"scripted ok: {id}", view.ExecutionResult!.FinalAnswer);
        Assert.True(view.ExecutionResult.Success);
        Assert.Equal(["script"], view.ExecutionResult.ToolsUsed);
        Assert.NotNull(view.StartTime);
        Assert.NotNull(view.EndTime);
        Assert.Equal(
            ["mission_created", "queued", "execution_started", "execution_finished"],
            view.Timeline.Select(e => e is MissionStatusUpdated u ? u.Reason : "mission_created"));
        Assert.Equal([1, 2, 3, 4], view.Timeline.Select(e => e.Seq));
        Assert.Equal(1, Host.Executor.RunsOf(id));

        // The signals follow the mission's lines into learning_signals.jsonl (derived from them, a moment later).
        var signals = await Eventually.WaitAsync(() => File.ReadAllLinesAsync(Path.Combine(fixture.DataDirectory, LogFiles.LearningSignals)),
            lines => lines.Count(l => l.Contains(id)) >= 2, TimeSpan.FromSeconds(10), "the mission's learning signals");
        Assert.Single(signals, l => l.Contains(id) && l.Contains("\"signal_type\":\"mission_proposed\"") && l.Contains("\"objective_type\":\"research\""));
        Assert.Single(signals, l => l.Contains(id) && l.Contains("\"signal_type\":\"mission_executed\"") && l.Contains("\"success\":true")
            && l.Contains("\"status\":\"completed\"") && l.Contains("\"attempt\":1") && l.Contains("\"tools_used\":[\"script\"]"));
    }

    [Fact]
    public async Task An_ended_mission_leaves_memory_as_soon_as_its_end_is_written()
    {
        var id = await Host.CreateAsync("ok");
        var management = Host.Client.GetGrain<IManagementGrain>(0);

        // Watched in the log, not through the grain: a read would activate it again.
        await Eventually.WaitAsync(() => Host.Log.Index.VersionOf(id) == 4, TimeSpan.FromSeconds(30), "the end in the log");
        await Eventually.WaitAsync(() => management.GetGrainActivationCount((GrainReference)(object)Host.Mission(id)), n => n == 0,
            TimeSpan.FromSeconds(10), "the ended mission's activation gone");

        var view = (await Host.Mission(id).GetViewAsync())!; // read back from the log
        Assert.Equal(MissionStatus.Completed, view.Status);
        Assert.Equal($"scripted ok: {id}", view.ExecutionResult!.FinalAnswer);
    }

    [Fact]
    public async Task Failing_execution_ends_failed_with_its_error()
    {
        var id = await Host.CreateAsync("fail");

        var view = await Host.WaitForTerminalAsync(id);

        Assert.Equal(MissionStatus.Failed, view.Status);
        Assert.Equal("scripted failure", view.Error);
        Assert.False(view.ExecutionResult!.Success);
        var last = Assert.IsType<MissionStatusUpdated>(view.Timeline[^1]);
        Assert.Equal("execution_failed", last.Reason);
        Assert.NotNull(last.CompletedAt);
    }

    [Fact]
    public async Task Mission_over_its_time_budget_ends_timed_out_and_keeps_its_partial_result()
    {
        var id = await Host.CreateAsync("hang", maxDurationSeconds: 1);

        var view = await Host.WaitForTerminalAsync(id);

        Assert.Equal(MissionStatus.TimedOut, view.Status);
        Assert.Contains("partial", view.ExecutionResult!.FinalAnswer);
        Assert.Contains("1-second time budget", view.Error);
        Assert.InRange((view.EndTime!.Value - view.StartTime!.Value).TotalSeconds, 0.9, 10);
    }

    [Fact]
    public async Task Status_reads_answer_while_the_mission_runs()
    {
        var gate = Guid.NewGuid().ToString("N");
        var id = await Host.CreateAsync("gate:" + gate);
        await Host.WaitForStatusAsync(id, s => s == MissionStatus.Active, "active");

        var read = Host.Mission(id).GetViewAsync();
        var finished = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(5)));

        Assert.Same(read, finished);
        Assert.Equal(MissionStatus.Active, (await read)!.Status);
        Host.Executor.Open(gate);
        Assert.Equal(MissionStatus.Completed, (await Host.WaitForTerminalAsync(id)).Status);
    }

    [Fact]
    public async Task Creating_the_same_mission_again_returns_it_and_writes_nothing()
    {
        var id = await Host.CreateAsync("ok");
        await Host.WaitForTerminalAsync(id);
        var version = Host.Log.Index.VersionOf(id);

        var again = await Host.Mission(id).CreateAsync(MissionClusterHost.DraftFrom("s-other", "ok"));

        Assert.False(again.Created);
        Assert.Equal(MissionStatus.Completed, again.Status);
        Assert.Equal(version, Host.Log.Index.VersionOf(id));
        Assert.Equal(1, Host.Executor.RunsOf(id));
    }

    [Fact]
    public async Task Unknown_mission_has_no_view()
    {
        Assert.Null(await Host.Mission(Ids.NewMissionId()).GetViewAsync());
    }
}
