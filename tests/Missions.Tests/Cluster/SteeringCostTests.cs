using Microsoft.Extensions.DependencyInjection;
using Missions.Log;
using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>Steering a long conversation costs what it steers, not a read per past mission.</summary>
public sealed class SteeringCostTests
{
    /// <summary>The chat log, counting the reads the conversations make.</summary>
    private sealed class CountingChats(ChatLog inner) : IChatStore
    {
        public int Reads;

        public ValueTask<IReadOnlyList<ChatMessage>> ReadAsync(string sessionId, int from, int count)
        {
            Interlocked.Increment(ref Reads);
            return inner.ReadAsync(sessionId, from, count);
        }

        public ValueTask<IReadOnlyList<ChatMessage>> ReadStreamAsync(string streamId)
        {
            Interlocked.Increment(ref Reads);
            return inner.ReadStreamAsync(streamId);
        }

        public Task<bool> AppendAsync(string streamId, IReadOnlyList<ChatMessage> events, int expectedVersion) => inner.AppendAsync(streamId, events, expectedVersion);
    }

    [Fact]
    public async Task Status_cancel_and_approve_in_a_conversation_of_300_missions_read_no_past_message()
    {
        using var data = new TempDirectory();
        CountingChats? chats = null;
        await using var host = await MissionClusterHost.StartAsync(data.Path, services: services =>
            services.AddSingleton<IChatStore>(sp => chats = new CountingChats(sp.GetRequiredService<ChatLog>())));
        var chat = host.Client.GetGrain<IChatSessionGrain>("s-" + Guid.NewGuid().ToString("N"));
        for (var i = 0; i < 300; i++)
        {
            await chat.SendAsync(new ChatRequest { Message = $"check example.org/page-{i}" });
        }
        var proposal = (await chat.SendAsync(new ChatRequest { Message = "propose to check example.org/last" })).MissionId!;

        var before = chats!.Reads;
        var status = await chat.SendAsync(new ChatRequest { Message = "status" });
        var approved = await chat.SendAsync(new ChatRequest { Message = "approve" });
        var cancelled = await chat.SendAsync(new ChatRequest { Message = $"cancel {proposal[..8]}" });

        Assert.Contains($"{301 - Missions.Chat.ChatReplies.MissionsShown} older ones", status.Message);
        Assert.Equal(proposal, approved.MissionId);
        Assert.Equal(proposal, cancelled.MissionId);
        Assert.Equal(0, chats.Reads - before); // the targets are in the conversation's memory, not read back from its log
    }
}
