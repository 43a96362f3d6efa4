using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>Run on the embedded default (one silo over the logs) and in cluster mode (three silos on PostgreSQL and Redis).</summary>
public abstract class DeduplicationScenarios(MissionClusterHost host)
{
    private MissionClusterHost Host => host;

    [Fact]
    public async Task Same_request_joins_the_running_mission_then_is_answered_from_its_result()
    {
        var chat = Host.Client.GetGrain<IChatSessionGrain>("s-" + Guid.NewGuid().ToString("N"));
        var gate = Guid.NewGuid().ToString("N");
        // The scripted executor reads the objective's words: this one waits on the gate.
        var first = await chat.SendAsync(new ChatRequest { Message = $"gate:{gate} research on example.org" });
        var id = first.MissionId!;
        await Host.WaitForStatusAsync(id, s => s == MissionStatus.Active, "active");
        var missions = await Host.MissionCountAsync();

        var joined = await chat.SendAsync(new ChatRequest { Message = $"  GATE:{gate}   research on example.org. " });

        Assert.Equal(ChatResponse.MissionStarted, joined.Type);
        Assert.Equal(id, joined.MissionId);
        Assert.StartsWith("Already working on that", joined.Message);
        Assert.Equal(missions, await Host.MissionCountAsync());

        Host.Executor.Open(gate);
        await Host.WaitForTerminalAsync(id);
        var cached = await chat.SendAsync(new ChatRequest { Message = $"gate:{gate} research on example.org" });

        Assert.Equal(ChatResponse.Reply, cached.Type);
        Assert.Equal(id, cached.MissionId);
        Assert.Contains("answered from its result", cached.Message);
        Assert.Contains($"scripted ok: {id}", cached.Message);
        Assert.Equal(missions, await Host.MissionCountAsync());
        Assert.Equal(1, Host.Executor.RunsOf(id));
        var view = (await Host.Mission(id).GetViewAsync())!;
        Assert.Equal(1, view.CacheHits);
        Assert.IsType<MissionReused>(view.Timeline[^1]);
        Assert.Equal(MissionStatus.Completed, view.Status);
    }

    [Fact]
    public async Task Different_constraints_or_another_session_start_a_new_mission()
    {
        var session = "s-" + Guid.NewGuid().ToString("N");
        var chat = Host.Client.GetGrain<IChatSessionGrain>(session);
        var first = await chat.SendAsync(new ChatRequest { Message = "research x on example.org" });
        await Host.WaitForTerminalAsync(first.MissionId!);

        var morePages = await chat.SendAsync(new ChatRequest { Message = "research x on example.org up to 9 pages" });
        var elsewhere = await Host.Client.GetGrain<IChatSessionGrain>(session + "-other").SendAsync(new ChatRequest { Message = "research x on example.org" });

        Assert.NotEqual(first.MissionId, morePages.MissionId);
        Assert.NotEqual(first.MissionId, elsewhere.MissionId);
        Assert.Equal(ChatResponse.MissionStarted, morePages.Type);
    }

    [Fact]
    public async Task A_failed_mission_is_not_served_from_cache()
    {
        var chat = Host.Client.GetGrain<IChatSessionGrain>("s-" + Guid.NewGuid().ToString("N"));
        var first = await chat.SendAsync(new ChatRequest { Message = "fail on example.org research" });
        Assert.Equal(MissionStatus.Failed, (await Host.WaitForTerminalAsync(first.MissionId!)).Status);

        var again = await chat.SendAsync(new ChatRequest { Message = "fail on example.org research" });

        Assert.NotEqual(first.MissionId, again.MissionId);
    }

    [Fact]
    public async Task A_mission_created_again_in_a_new_activation_is_found_in_the_store_not_written_twice()
    {
        // A new activation's creation does not read the store first: its append at version 0 is the existence check.
        var id = await Host.CreateAsync("ok");
        await Host.WaitForTerminalAsync(id);
        var version = await Host.VersionOfAsync(id);
        var management = Host.Client.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        await Eventually.WaitAsync(() => management.GetGrainActivationCount((GrainReference)(object)Host.Mission(id)), n => n == 0,
            TimeSpan.FromSeconds(10), "the ended mission deactivated");

        var again = await Host.Mission(id).CreateAsync(MissionClusterHost.DraftFrom("s-other", "ok"));

        Assert.False(again.Created);
        Assert.Equal(MissionStatus.Completed, again.Status);
        Assert.Equal(version, await Host.VersionOfAsync(id));
        Assert.Equal(MissionStatus.Completed, (await Host.Mission(id).GetViewAsync())!.Status);
        Assert.Equal(1, Host.Executor.RunsOf(id));
        // The slot its creation asked for meanwhile is given back.
        await Eventually.WaitAsync(() => Host.Queue.GetStatusAsync(), q => q.InFlight == 0 && q.Size == 0, TimeSpan.FromSeconds(10), "the queue empty");
    }

    [Fact]
    public async Task A_session_read_back_from_its_log_answers_a_resent_message_and_joins_its_running_mission()
    {
        var session = "s-" + Guid.NewGuid().ToString("N");
        var chat = Host.Client.GetGrain<IChatSessionGrain>(session);
        var gate = Guid.NewGuid().ToString("N");
        var first = await chat.SendAsync(new ChatRequest { Message = $"gate:{gate} research on example.org", ClientMessageId = "c-1" });
        var talk = await chat.SendAsync(new ChatRequest { Message = "hello", ClientMessageId = "c-2" });
        await Host.WaitForStatusAsync(first.MissionId!, s => s == MissionStatus.Active, "active");

        // The session goes; the next call reads it back from chat_sessions.jsonl (the running mission stays).
        var management = Host.Client.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        await Eventually.WaitAsync(() => management.GetGrainActivationCount((GrainReference)(object)chat), n => n == 0,
            TimeSpan.FromSeconds(10), "the session deactivated");

        Assert.Equivalent(first, await chat.SendAsync(new ChatRequest { Message = "anything", ClientMessageId = "c-1" }));
        Assert.Equivalent(talk, await chat.SendAsync(new ChatRequest { Message = "anything", ClientMessageId = "c-2" }));
        var joined = await chat.SendAsync(new ChatRequest { Message = $"gate:{gate} research on example.org" });
        Assert.Equal(first.MissionId, joined.MissionId);
        Assert.StartsWith("Already working on that", joined.Message);
        var status = await chat.SendAsync(new ChatRequest { Message = "status" });
        Assert.Contains(first.MissionId![..8], status.Message);

        Host.Executor.Open(gate);
        await Host.WaitForTerminalAsync(first.MissionId!);
        var page = await Eventually.WaitAsync(() => chat.GetMessagesAsync(null, null, ChatPage.DefaultLimit),
            p => p.Messages.Any(m => m.ReplyType == ChatResponse.MissionUpdate), TimeSpan.FromSeconds(10), "the outcome in the chat");
        // Resent messages were answered, not written again: 2 + 2 + 2 (joined) + 2 (status) + 1 (outcome).
        Assert.Equal(Enumerable.Range(1, 9), page.Messages.Select(m => m.Seq));
    }
}

[Collection(ClusterCollection.Name)]
public sealed class DeduplicationTests(ClusterFixture fixture) : DeduplicationScenarios(fixture.Host);

[Collection(StoreClusterCollection.Name)]
public sealed class DeduplicationOnStoreTests(StoreClusterFixture fixture) : DeduplicationScenarios(fixture.Host);
