using Microsoft.Extensions.DependencyInjection;
using Missions.Schedules;
using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>Missions on a schedule, with periods of seconds (the tests' shortest period is 1 s). Run on the embedded
/// default and in cluster mode (three silos on PostgreSQL and Redis).</summary>
public abstract class ScheduleScenarios(MissionClusterHost host)
{
    protected MissionClusterHost Host => host;

    protected static IChatSessionGrain NewChat(MissionClusterHost host) => host.Client.GetGrain<IChatSessionGrain>("s-" + Guid.NewGuid().ToString("N"));

    protected static async Task<ScheduleState> StateAsync(MissionClusterHost host, string scheduleId) =>
        ScheduleState.Fold(await host.Cluster.Silos[0].ServiceProvider.GetRequiredService<Missions.Log.IMissionStore>().ReadStreamAsync(scheduleId));

    public static Task<ScheduleState> StateForTests(MissionClusterHost host, string scheduleId) => StateAsync(host, scheduleId);

    protected static async Task<List<ChatMessage>> UpdatesAsync(IChatSessionGrain chat) =>
        [.. (await chat.GetMessagesAsync(null, null, ChatPage.DefaultLimit)).Messages.Where(m => m.ReplyType == ChatResponse.MissionUpdate)];

    [Fact]
    public async Task A_schedule_fires_once_a_period_and_the_chat_hears_only_of_changes()
    {
        var chat = NewChat(Host);
        var name = Guid.NewGuid().ToString("N");
        Host.Executor.Answers[name] = "The service is up. All systems normal.";

        var set = await chat.SendAsync(new ChatRequest { Message = $"answer:{name} check example.org every 2 seconds" });

        Assert.Equal(ChatResponse.ScheduleCreated, set.Type);
        var id = set.ScheduleId!;
        Assert.StartsWith(ScheduleIds.Prefix, id);
        Assert.Contains("every 2 seconds", set.Message);
        var started = DateTime.UtcNow;
        var state = await Eventually.WaitAsync(() => StateAsync(Host, id), s => s.Runs >= 3, TimeSpan.FromSeconds(20), "three runs");
        var elapsed = DateTime.UtcNow - started;
        Assert.InRange(state.Runs, 3, (int)(elapsed.TotalSeconds / 2) + 2); // one a period: no burst
        // Each run is an ordinary mission; the first result is posted (the baseline), the unchanged ones are not.
        await Eventually.WaitAsync(() => StateAsync(Host, id), s => s.LastCompared is { } last && s.RecentMissions.IndexOf(last.RunMissionId) >= 2,
            TimeSpan.FromSeconds(20), "the third run compared");
        foreach (var missionId in state.RecentMissions.Take(3))
        {
            var view = (await Host.Mission(missionId).GetViewAsync())!;
            Assert.Equal(MissionStatus.Completed, view.Status);
            Assert.Equal(1, Host.Executor.RunsOf(missionId));
        }
        var updates = await UpdatesAsync(chat);
        Assert.Single(updates);
        Assert.Contains("First run", updates[0].Text);

        Host.Executor.Answers[name] = "The service is up. Maintenance tonight at 22:00.";

        var changed = await Eventually.WaitAsync(() => UpdatesAsync(chat), u => u.Count >= 2, TimeSpan.FromSeconds(20), "the change in the chat");
        Assert.Contains("The answer changed (1 new sentence, 1 gone)", changed[1].Text);
        Assert.Contains("Maintenance tonight at 22:00.", changed[1].Text);
        await chat.SendAsync(new ChatRequest { Message = "stop the schedule" });
    }

    [Fact]
    public async Task A_firing_while_the_last_run_still_goes_is_skipped_and_recorded()
    {
        var chat = NewChat(Host);
        var gate = Guid.NewGuid().ToString("N");
        var id = (await chat.SendAsync(new ChatRequest { Message = $"gate:{gate} check example.org every 1 second" })).ScheduleId!;

        var state = await Eventually.WaitAsync(() => StateAsync(Host, id), s => s.Skipped >= 2, TimeSpan.FromSeconds(20), "two skipped firings");

        Assert.Equal(1, state.Runs);
        Host.Executor.Open(gate);
        state = await Eventually.WaitAsync(() => StateAsync(Host, id), s => s.Runs >= 2, TimeSpan.FromSeconds(20), "the next run after the gate opened");
        // A run is counted when its mission is made; each one has run once when it has ended.
        foreach (var missionId in state.RecentMissions)
        {
            await Eventually.WaitAsync(() => Host.Mission(missionId).GetViewAsync(), v => v is { Status: MissionStatus.Completed }, TimeSpan.FromSeconds(20), "the run to end");
            Assert.Equal(1, Host.Executor.RunsOf(missionId));
        }
        var events = await Host.Cluster.Silos[0].ServiceProvider.GetRequiredService<Missions.Log.IMissionStore>().ReadStreamAsync(id);
        Assert.Contains(events, e => e is ScheduleFired { RunMissionId: null, Skipped: { } why } && why.Contains("still active"));
        await Host.Client.GetGrain<IScheduleGrain>(id).DeleteAsync(Actor.Api(Owners.Local));
    }

    [Fact]
    public async Task Paused_resumed_and_stopped_from_the_chat_and_the_api()
    {
        var chat = NewChat(Host);
        var id = (await chat.SendAsync(new ChatRequest { Message = "answer:steady check example.org every 1 second" })).ScheduleId!;
        await Eventually.WaitAsync(() => StateAsync(Host, id), s => s.Runs >= 1, TimeSpan.FromSeconds(20), "a first run");

        var paused = await chat.SendAsync(new ChatRequest { Message = "pause that" });
        Assert.StartsWith("Paused", paused.Message);
        var runs = (await StateAsync(Host, id)).Runs;
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(runs, (await StateAsync(Host, id)).Runs);
        Assert.Contains("paused", (await chat.SendAsync(new ChatRequest { Message = "schedules" })).Message);
        Assert.False((await Host.Client.GetGrain<IScheduleGrain>(id).PauseAsync(Actor.Api(Owners.Local))).Accepted);

        var resumed = await chat.SendAsync(new ChatRequest { Message = $"resume {id}" });
        Assert.StartsWith("Resumed", resumed.Message);
        await Eventually.WaitAsync(() => StateAsync(Host, id), s => s.Runs > runs, TimeSpan.FromSeconds(20), "a run after the resume");

        var deleted = await Host.Client.GetGrain<IScheduleGrain>(id).DeleteAsync(Actor.Api(Owners.Local));
        Assert.True(deleted.Accepted);
        runs = (await StateAsync(Host, id)).Runs;
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(runs, (await StateAsync(Host, id)).Runs);
        Assert.Contains("You have no schedules", (await chat.SendAsync(new ChatRequest { Message = "schedules" })).Message);
        Assert.Contains("was deleted", (await chat.SendAsync(new ChatRequest { Message = $"resume {id[4..12]}" })).Message);
    }

    [Fact]
    public async Task A_cadence_that_cannot_be_used_is_explained_and_nothing_is_set()
    {
        var chat = NewChat(Host);

        var bad = await chat.SendAsync(new ChatRequest { Message = "check example.org cron 61 * * * *" });

        Assert.Equal(ChatResponse.Reply, bad.Type);
        Assert.Contains("not a cron expression", bad.Message);
        Assert.Null(bad.ScheduleId);
    }
}

[Collection(ClusterCollection.Name)]
public sealed class ScheduleTests(ClusterFixture fixture) : ScheduleScenarios(fixture.Host);

[Collection(StoreClusterCollection.Name)]
public sealed class ScheduleOnStoreTests(StoreClusterFixture fixture) : ScheduleScenarios(fixture.Host);

/// <summary>A restart of the embedded default: its in-memory reminders are gone, and the log brings the schedule back.</summary>
public sealed class ScheduleRestartTests
{
    [Fact]
    public async Task A_restart_loses_no_schedule_and_a_missed_firing_runs_once_not_once_per_period()
    {
        using var data = new TempDirectory();
        string id;
        int runsBefore;
        await using (var before = await MissionClusterHost.StartAsync(data.Path))
        {
            var chat = before.Client.GetGrain<IChatSessionGrain>("s-" + Guid.NewGuid().ToString("N"));
            id = (await chat.SendAsync(new ChatRequest { Message = "answer:x check example.org every 2 seconds" })).ScheduleId!;
            runsBefore = (await Eventually.WaitAsync(() => ScheduleScenarios.StateForTests(before, id), s => s.Runs >= 1, TimeSpan.FromSeconds(20), "a first run")).Runs;
        }
        await Task.Delay(TimeSpan.FromSeconds(7)); // three periods missed while the process is down

        await using var after = await MissionClusterHost.StartAsync(data.Path);
        var caughtUp = await Eventually.WaitAsync(() => ScheduleScenarios.StateForTests(after, id), s => s.Runs > runsBefore, TimeSpan.FromSeconds(10), "the missed firing at start");

        Assert.Equal(runsBefore + 1, caughtUp.Runs);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var settled = await ScheduleScenarios.StateForTests(after, id);
        Assert.InRange(settled.Runs, runsBefore + 1, runsBefore + 2); // no burst for the three missed periods
        await Eventually.WaitAsync(() => ScheduleScenarios.StateForTests(after, id), s => s.Runs >= runsBefore + 3, TimeSpan.FromSeconds(15), "firing on after the restart");
    }
}
