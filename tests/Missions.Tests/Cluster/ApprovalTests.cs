using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Missions.Log;
using Missions.Signals;
using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>Missions that wait for a yes: proposed in the chat, changed, approved, rejected or left to expire.
/// Run on the embedded default and in cluster mode (three silos on PostgreSQL and Redis).</summary>
public abstract class ApprovalScenarios(MissionClusterHost host)
{
    protected MissionClusterHost Host => host;

    protected IChatSessionGrain NewChat() => Host.Client.GetGrain<IChatSessionGrain>("s-" + Guid.NewGuid().ToString("N"));

    protected static Task<ChatPage> MessagesAsync(IChatSessionGrain chat) => chat.GetMessagesAsync(null, null, ChatPage.DefaultLimit);

    [Fact]
    public async Task A_proposal_waits_is_changed_in_words_then_runs_once_approved()
    {
        var chat = NewChat();

        var proposed = await chat.SendAsync(new ChatRequest { Message = "propose research on example.org, up to 3 pages" });

        Assert.Equal(ChatResponse.MissionProposed, proposed.Type);
        Assert.Equal(MissionStatus.Proposed, proposed.Status);
        Assert.Contains("Say \"go\"", proposed.Message);
        Assert.Contains("up to 3 pages", proposed.Message);
        var id = proposed.MissionId!;
        await Task.Delay(TimeSpan.FromMilliseconds(800)); // four of the queue's sweeps: none dispatches a proposal
        Assert.Equal(MissionStatus.Proposed, (await Host.Mission(id).GetViewAsync())!.Status);
        Assert.Equal(0, Host.Executor.RunsOf(id));

        var changed = await chat.SendAsync(new ChatRequest { Message = "make it 10 pages, urgent" });
        Assert.StartsWith("Changed", changed.Message);
        Assert.Contains("up to 10 pages", changed.Message);
        var view = (await Host.Mission(id).GetViewAsync())!;
        Assert.Equal(10, view.Constraints!.MaxPages);
        Assert.Equal(MissionPriority.High, view.Priority);
        Assert.Contains(view.Timeline, e => e is MissionRevised { SourceMessage: "make it 10 pages, urgent" });

        var nothing = await chat.SendAsync(new ChatRequest { Message = "make it better" });
        Assert.StartsWith("I can change a proposal", nothing.Message);

        var approved = await chat.SendAsync(new ChatRequest { Message = "go" });

        Assert.StartsWith("Approved", approved.Message);
        Assert.Equal(MissionStatus.Completed, (await Host.WaitForTerminalAsync(id)).Status);
        Assert.Equal(1, Host.Executor.RunsOf(id));
        var statuses = (await Host.Mission(id).GetViewAsync())!.Timeline.OfType<MissionStatusUpdated>().Select(u => (u.Status, u.Reason)).ToList();
        Assert.Equal(
            [(MissionStatus.Proposed, MissionReasons.AwaitingApproval), (MissionStatus.Queued, MissionReasons.Approved),
             (MissionStatus.Active, MissionReasons.ExecutionStarted), (MissionStatus.Completed, MissionReasons.ExecutionFinished)],
            statuses);
        await Eventually.WaitAsync(() => MessagesAsync(chat), p => p.Messages.Any(m => m.ReplyType == ChatResponse.MissionUpdate && m.MissionId == id),
            TimeSpan.FromSeconds(10), "the outcome in the chat");
        var again = await chat.SendAsync(new ChatRequest { Message = "approve" });
        Assert.Equal(ChatReplies.NothingToDecide, again.Message);
    }

    [Fact]
    public async Task A_rejected_proposal_ends_cancelled_and_never_runs()
    {
        var chat = NewChat();
        var id = (await chat.SendAsync(new ChatRequest { Message = "draft a mission to summarize https://example.org/changelog" })).MissionId!;

        var rejected = await chat.SendAsync(new ChatRequest { Message = "no" });

        Assert.StartsWith("Rejected", rejected.Message);
        var view = (await Host.Mission(id).GetViewAsync())!;
        Assert.Equal(MissionStatus.Cancelled, view.Status);
        Assert.Equal(MissionReasons.Rejected, view.Timeline.OfType<MissionStatusUpdated>().Last().Reason);
        Assert.Equal(MissionDecisions.Chat, view.Timeline.OfType<MissionStatusUpdated>().Last().DecidedVia);
        var late = await Host.Mission(id).ApproveAsync(Actor.Api(Owners.Local));
        Assert.False(late.Accepted);
        Assert.Contains("not waiting for approval", late.Message);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(0, Host.Executor.RunsOf(id));
        // Said in the chat: the chat's answer is the only word of it (no outcome notice after it).
        Assert.Equal(4, (await MessagesAsync(chat)).Messages.Count);
    }

    [Fact]
    public async Task A_proposal_nobody_approves_expires_and_the_chat_is_told()
    {
        var chat = NewChat();
        var id = (await chat.SendAsync(new ChatRequest { Message = "propose research on example.org" })).MissionId!;

        var view = await Eventually.WaitAsync(async () => (await Host.Mission(id).GetViewAsync())!, v => v.Status.IsTerminal(),
            TimeSpan.FromMinutes(MissionClusterHost.ProposalTtlMinutes) + TimeSpan.FromSeconds(20), "the proposal to expire");

        Assert.Equal(MissionStatus.Cancelled, view.Status);
        Assert.Equal(MissionReasons.ProposalExpired, view.Timeline.OfType<MissionStatusUpdated>().Last().Reason);
        var notice = await Eventually.WaitAsync(() => MessagesAsync(chat), p => p.Messages.Any(m => m.ReplyType == ChatResponse.MissionUpdate),
            TimeSpan.FromSeconds(10), "the expiry in the chat");
        Assert.Contains("expired", notice.Messages[^1].Text);
        var late = await chat.SendAsync(new ChatRequest { Message = $"approve {id[..8]}" });
        Assert.Contains("not waiting for approval", late.Message);
        Assert.Equal(0, Host.Executor.RunsOf(id));
    }

    [Fact]
    public async Task Approving_outside_the_chat_queues_it_and_a_proposal_is_approved_once()
    {
        var chat = NewChat();
        var id = (await chat.SendAsync(new ChatRequest { Message = "propose research on example.org" })).MissionId!;

        var decisions = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Host.Mission(id).ApproveAsync(Actor.Api(Owners.Local))));

        Assert.Single(decisions, d => d.Accepted);
        Assert.Equal(MissionStatus.Completed, (await Host.WaitForTerminalAsync(id)).Status);
        Assert.Equal(1, Host.Executor.RunsOf(id));
        Assert.Equal(MissionDecisions.Api, (await Host.Mission(id).GetViewAsync())!.Timeline.OfType<MissionStatusUpdated>().Single(u => u.Reason == MissionReasons.Approved).DecidedVia);
    }
}

[Collection(ClusterCollection.Name)]
public sealed class ApprovalTests(ClusterFixture fixture) : ApprovalScenarios(fixture.Host)
{
    [Fact]
    public async Task The_learning_signals_record_each_decision_who_asked_and_how_long_it_waited()
    {
        var session = "s-" + Guid.NewGuid().ToString("N");
        var chat = Host.Client.GetGrain<IChatSessionGrain>(session);
        var approvedId = (await chat.SendAsync(new ChatRequest { Message = "propose research on example.org" })).MissionId!;
        await Task.Delay(200);
        await chat.SendAsync(new ChatRequest { Message = "yes" });
        var rejectedId = (await chat.SendAsync(new ChatRequest { Message = "propose research on example.com" })).MissionId!;
        await Host.Mission(rejectedId).RejectAsync(Actor.Api(Owners.Local));

        var path = Host.Cluster.Silos[0].ServiceProvider.GetRequiredService<IOptions<MissionsOptions>>().Value.PathOf(LogFiles.LearningSignals);
        var signals = await Eventually.WaitAsync(
            () => Task.FromResult(File.ReadAllLines(path).Select(l => JsonSerializer.Deserialize(l, MissionsJson.Context.LearningSignal)!).ToList()),
            s => s.Any(x => x.SignalType == LearningSignal.MissionRejected && x.MissionId == rejectedId), TimeSpan.FromSeconds(10), "the decisions' signals");

        var approved = signals.Single(s => s.SignalType == LearningSignal.MissionApproved && s.MissionId == approvedId);
        Assert.Equal(session, approved.SessionId);
        Assert.Equal(MissionDecisions.Chat, approved.DecidedVia);
        Assert.InRange(approved.WaitedMs!.Value, 150, 30_000);
        var rejected = signals.Single(s => s.SignalType == LearningSignal.MissionRejected && s.MissionId == rejectedId);
        Assert.Equal(session, rejected.SessionId);
        Assert.Equal(MissionDecisions.Api, rejected.DecidedVia);
        Assert.DoesNotContain(signals, s => s.SignalType == LearningSignal.MissionExecuted && s.MissionId == rejectedId);
        // Rejected through the API: the chat is told.
        await Eventually.WaitAsync(() => MessagesAsync(chat), p => p.Messages.Any(m => m.ReplyType == ChatResponse.MissionUpdate && m.MissionId == rejectedId),
            TimeSpan.FromSeconds(10), "the rejection in the chat");
    }
}

[Collection(StoreClusterCollection.Name)]
public sealed class ApprovalOnStoreTests(StoreClusterFixture fixture) : ApprovalScenarios(fixture.Host);

/// <summary>A restart of the embedded default while a proposal waits: the proposal's timer is gone with the process.</summary>
public sealed class ApprovalRestartTests
{
    [Fact]
    public async Task A_proposal_that_expired_while_the_process_was_down_is_ended_at_start()
    {
        using var data = new TempDirectory();
        string id;
        var session = "s-" + Guid.NewGuid().ToString("N");
        await using (var before = await MissionClusterHost.StartAsync(data.Path))
        {
            id = (await before.Client.GetGrain<IChatSessionGrain>(session).SendAsync(new ChatRequest { Message = "propose research on example.org" })).MissionId!;
        }
        await Task.Delay(TimeSpan.FromMinutes(MissionClusterHost.ProposalTtlMinutes) + TimeSpan.FromSeconds(1));

        await using var after = await MissionClusterHost.StartAsync(data.Path);


        // Nothing asks after the proposal: the queue's check at its start ends it.
        var view = await Eventually.WaitAsync(() => Task.FromResult(MissionState.Fold(after.Log.Reader.ReadEvents(id))), m => m.Status.IsTerminal(),
            TimeSpan.FromSeconds(15), "the expired proposal ended");
        Assert.Equal(MissionStatus.Cancelled, view.Status);
        Assert.Equal(0, after.Executor.RunsOf(id));
        await Eventually.WaitAsync(() => after.Client.GetGrain<IChatSessionGrain>(session).GetMessagesAsync(null, null, ChatPage.DefaultLimit),
            p => p.Messages.Any(m => m.ReplyType == ChatResponse.MissionUpdate && m.Text.Contains("expired")), TimeSpan.FromSeconds(10), "the expiry in the chat");
    }
}
