using Microsoft.Extensions.DependencyInjection;
using Missions.Log;
using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>A session writes its lines through one loop: notices that arrive together are one append, and the
/// conversation's numbering holds when they arrive between a person's messages.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SessionWriteTests(ClusterFixture fixture)
{
    private MissionClusterHost Host => fixture.Host;

    private ChatLog ChatLog => Host.Cluster.Silos[0].ServiceProvider.GetRequiredService<ChatLog>();

    [Fact]
    public async Task A_burst_of_outcome_notices_is_written_in_few_appends_each_once_between_the_persons_messages()
    {
        const int notices = 400;
        var chat = Host.Client.GetGrain<IChatSessionGrain>("s-" + Guid.NewGuid().ToString("N"));
        var batchesBefore = ChatLog.Stats.Batches;
        var answers = new List<ChatResponse>();
        for (var i = 0; i < notices; i++)
        {
            // One-way: each returns as soon as it is sent, so they reach the session together.
            _ = chat.PostMissionOutcomeAsync(Notice(i));
            if (i % 100 == 50)
            {
                answers.Add(await chat.SendAsync(new ChatRequest { Message = "hello", ClientMessageId = $"c-{i}" }));
                _ = chat.PostMissionOutcomeAsync(Notice(i)); // a redelivery, while it may still be unwritten
            }
        }
        var expected = notices + 2 * answers.Count;
        var all = await Eventually.WaitAsync(() => ReadAllAsync(chat), m => m.Count >= expected, TimeSpan.FromSeconds(20), "every line written");
        var batches = ChatLog.Stats.Batches - batchesBefore;

        Assert.Equal(Enumerable.Range(1, expected), all.Select(m => m.Seq));
        var outcomes = all.Where(m => m.ReplyType == ChatResponse.MissionUpdate).Select(m => m.MissionId).ToList();
        Assert.Equal(notices, outcomes.Count);
        Assert.Equal(notices, outcomes.Distinct().Count());
        // Each person's message is followed by its answer, and a resend gets that answer again (found by position).
        foreach (var (answer, at) in answers.Select((a, k) => (a, k * 100 + 50)))
        {
            var asked = all.Single(m => m.ClientMessageId == $"c-{at}" && m.Role == ChatMessage.UserRole);
            Assert.Equal(answer.Message, all[asked.Seq].Text);
            Assert.Equivalent(answer, await chat.SendAsync(new ChatRequest { Message = "again", ClientMessageId = $"c-{at}" }));
        }
        // One append per notice would be one fsync round per notice, the session waiting on each in turn.
        Assert.True(batches < notices / 2, $"{notices} notices took {batches} appends");

        // Read back from the log by a new activation: the same conversation.
        var management = Host.Client.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        await Eventually.WaitAsync(() => management.GetGrainActivationCount((GrainReference)(object)chat), n => n == 0,
            TimeSpan.FromSeconds(10), "the session deactivated");
        Assert.Equal(all.Select(m => (m.Seq, m.Text)), (await ReadAllAsync(chat)).Select(m => (m.Seq, m.Text)));
    }

    private static MissionOutcomeNotice Notice(int i) => new()
    {
        MissionId = $"m-{i:D4}", Status = MissionStatus.Completed, Attempt = 1, Text = $"Mission m-{i:D4} completed.",
    };

    private static async Task<List<ChatMessage>> ReadAllAsync(IChatSessionGrain chat)
    {
        var all = new List<ChatMessage>();
        ChatPage page;
        do
        {
            page = await chat.GetMessagesAsync(null, all.Count, ChatPage.MaxLimit);
            all.AddRange(page.Messages);
        }
        while (page.HasLater);
        return all;
    }
}
