using Microsoft.Extensions.DependencyInjection;
using Missions.Schedules;
using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>Notices that reach the right chat exactly once, across restarts.</summary>
public sealed class NoticeRecoveryTests
{
    private static async Task<List<ChatMessage>> UpdatesAsync(IChatSessionGrain chat) =>
        [.. (await chat.GetMessagesAsync(null, null, ChatPage.MaxLimit)).Messages.Where(m => m.ReplyType == ChatResponse.MissionUpdate)];

    [Fact]
    public async Task A_proposal_rejected_in_the_chat_gets_no_cancelled_notice_after_a_restart()
    {
        using var data = new TempDirectory();
        var sessionId = "s-" + Guid.NewGuid().ToString("N");
        string proposal;
        await using (var before = await MissionClusterHost.StartAsync(data.Path))
        {
            var chat = before.Client.GetGrain<IChatSessionGrain>(sessionId);
            proposal = (await chat.SendAsync(new ChatRequest { Message = "propose to check example.org" })).MissionId!;
            var rejected = await chat.SendAsync(new ChatRequest { Message = "reject" });
            Assert.Contains("Rejected", rejected.Message);
            Assert.Equal(MissionStatus.Cancelled, (await before.WaitForTerminalAsync(proposal)).Status);
            Assert.Empty(await UpdatesAsync(chat)); // said in the chat: its own answer said so
        }

        await using var after = await MissionClusterHost.StartAsync(data.Path);
        var again = after.Client.GetGrain<IChatSessionGrain>(sessionId);
        // A barrier instead of a pause: a notice the activation recovers is handed to the conversation's one write loop
        // before this message's lines, so once it is answered anything recovered is written.
        await again.SendAsync(new ChatRequest { Message = "hello" });
        Assert.Empty(await UpdatesAsync(again));
        Assert.Equal(MissionStatus.Cancelled, (await after.Mission(proposal).GetViewAsync())!.Status); // ended, and still no notice
    }

    [Fact]
    public async Task A_schedules_change_notice_lost_in_a_crash_reaches_the_chat_once_when_the_silo_is_back()
    {
        using var data = new TempDirectory();
        var sessionId = "s-" + Guid.NewGuid().ToString("N");
        string scheduleId, run;
        await using (var before = await MissionClusterHost.StartAsync(data.Path))
        {
            var chat = before.Client.GetGrain<IChatSessionGrain>(sessionId);
            scheduleId = (await chat.SendAsync(new ChatRequest { Message = "check example.org every 1 hour" })).ScheduleId!;
            // A run that ended, and its comparison written — then the process died before the chat heard of it.
            run = await before.CreateAsync("ok"); // a run's own end goes to its schedule, not to a chat
            var ended = await before.WaitForTerminalAsync(run);
            var store = before.Cluster.Silos[0].ServiceProvider.GetRequiredService<Missions.Log.IMissionStore>();
            var version = (await store.ReadStreamAsync(scheduleId)).Count;
            var now = DateTime.UtcNow;
            Assert.True(await store.AppendAsync(scheduleId,
            [
                new ScheduleFired { MissionId = scheduleId, Timestamp = now, Due = now, RunMissionId = run },
                new ScheduleRunCompared { MissionId = scheduleId, Timestamp = now, RunMissionId = run, Status = ended.Status, Changed = true, Summary = "First run." },
            ], version));
            Assert.Empty(await UpdatesAsync(chat));
        }

        await using (var after = await MissionClusterHost.StartAsync(data.Path))
        {
            var chat = after.Client.GetGrain<IChatSessionGrain>(sessionId);
            var updates = await Eventually.WaitAsync(() => UpdatesAsync(chat), u => u.Count >= 1, TimeSpan.FromSeconds(20), "the lost notice in the chat");
            Assert.Equal(run, Assert.Single(updates).MissionId);
            Assert.Equal(scheduleId, updates[0].ScheduleId);
        }

        // Started again: the schedule sends its last notice again, and the chat, which has it, writes nothing.
        await using var third = await MissionClusterHost.StartAsync(data.Path);
        await third.Client.GetGrain<IScheduleGrain>(scheduleId).WakeAsync();
        await Task.Delay(1000);
        Assert.Single(await UpdatesAsync(third.Client.GetGrain<IChatSessionGrain>(sessionId)));
    }
}

/// <summary>A schedule's firings count against the service's bound on waiting work like any other.</summary>
public sealed class ScheduleBoundTests
{
    [Fact]
    public async Task A_firing_while_the_service_is_full_is_skipped_with_the_reason_and_runs_resume_when_it_drains()
    {
        using var data = new TempDirectory();
        await using var host = await MissionClusterHost.StartAsync(data.Path, concurrency: 1,
            services: services => services.Configure<Missions.Execution.ExecutionOptions>(o => o.MaxQueued = 2));
        var gate = Guid.NewGuid().ToString("N");
        var blocking = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            blocking.Add(await host.CreateAsync($"gate:{gate}"));
        }
        await Eventually.WaitAsync(async () => (await host.Queue.GetStatusAsync()).Size, n => n >= 2, TimeSpan.FromSeconds(10), "two missions waiting");

        var chat = host.Client.GetGrain<IChatSessionGrain>("s-" + Guid.NewGuid().ToString("N"));
        var id = (await chat.SendAsync(new ChatRequest { Message = "check example.org every 1 second" })).ScheduleId!;
        var state = await Eventually.WaitAsync(() => ScheduleScenarios.StateForTests(host, id), s => s.Skipped >= 1, TimeSpan.FromSeconds(20), "a firing skipped");
        Assert.Equal(0, state.Runs);
        var events = await host.Cluster.Silos[0].ServiceProvider.GetRequiredService<Missions.Log.IMissionStore>().ReadStreamAsync(id);
        Assert.Contains(events, e => e is ScheduleFired { RunMissionId: null, Skipped: { } why } && why.Contains("the most the service keeps waiting (2)"));

        host.Executor.Open(gate);
        await Eventually.WaitAsync(() => ScheduleScenarios.StateForTests(host, id), s => s.Runs >= 1, TimeSpan.FromSeconds(30), "a run once the queue drained");
        await chat.SendAsync(new ChatRequest { Message = "stop the schedule" });
    }
}

/// <summary>A firing that fell due while the process was down runs when it is back, not a period later.</summary>
public sealed class DelayedFiringTests
{
    [Fact]
    public async Task A_firing_due_while_the_silo_was_down_runs_as_it_starts()
    {
        using var data = new TempDirectory();
        var scheduleId = ScheduleIds.New();
        var created = DateTime.UtcNow - TimeSpan.FromSeconds(90);
        // A schedule made 90 s ago, every 60 s: its first firing fell due 30 s ago, while nothing ran.
        await using (var log = new Missions.Log.MissionLog(Microsoft.Extensions.Options.Options.Create(new Missions.Log.MissionsOptions { DataDirectory = data.Path }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Missions.Log.MissionLog>.Instance))
        {
            Assert.True(await log.AppendAsync(scheduleId,
            [
                new ScheduleCreated
                {
                    MissionId = scheduleId, Timestamp = created, SessionId = "s-" + Guid.NewGuid().ToString("N"), Cadence = "every minute", EverySeconds = 60,
                    Objective = new Objective { Type = "check", Description = "check example.org" },
                    Constraints = new MissionConstraints { AllowedDomains = ["example.org"], MaxPages = 1, MaxDurationSeconds = 30 },
                    SourceMessage = "check example.org every minute",
                },
            ], 0));
        }

        var started = DateTime.UtcNow;
        await using var host = await MissionClusterHost.StartAsync(data.Path);
        var state = await Eventually.WaitAsync(() => ScheduleScenarios.StateForTests(host, scheduleId), s => s.Runs >= 1, TimeSpan.FromSeconds(20), "the missed firing");

        Assert.Equal(1, state.Runs);
        Assert.True(state.LastFiredAt - started < TimeSpan.FromSeconds(20), "fired as the silo started, not a period later");
        Assert.Equal(created + TimeSpan.FromSeconds(60), state.LastDue); // for the occurrence it missed
    }
}
