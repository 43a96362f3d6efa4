namespace Missions.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class DeduplicationTests(ClusterFixture fixture)
{
    private MissionClusterHost Host => fixture.Host;

    [Fact]
    public async Task Same_request_joins_the_running_mission_then_is_answered_from_its_result()
    {
        var chat = Host.Client.GetGrain<IChatSessionGrain>("s-" + Guid.NewGuid().ToString("N"));
        var gate = Guid.NewGuid().ToString("N");
        // The scripted executor reads the objective's words: this one waits on the gate.
        var first = await chat.SendAsync(new ChatRequest { Message = $"gate:{gate} research on example.org" });
        var id = first.MissionId!;
        await Host.WaitForStatusAsync(id, s => s == MissionStatus.Active, "active");
        var missions = Host.Log.Index.Count;

        var joined = await chat.SendAsync(new ChatRequest { Message = $"  GATE:{gate}   research on example.org. " });

        Assert.Equal(ChatResponse.MissionStarted, joined.Type);
        Assert.Equal(id, joined.MissionId);
        Assert.StartsWith("Already working on that", joined.Message);
        Assert.Equal(missions, Host.Log.Index.Count);

        Host.Executor.Open(gate);
        await Host.WaitForTerminalAsync(id);
        var cached = await chat.SendAsync(new ChatRequest { Message = $"gate:{gate} research on example.org" });

        Assert.Equal(ChatResponse.Reply, cached.Type);
        Assert.Equal(id, cached.MissionId);
        Assert.Contains("answered from its result", cached.Message);
        Assert.Contains($"scripted ok: {id}", cached.Message);
        Assert.Equal(missions, Host.Log.Index.Count);
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
}
