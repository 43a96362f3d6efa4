namespace Missions.Chat;

/// <summary>One conversation, keyed by session id; durable in <c>chat_sessions.jsonl</c>.</summary>
public interface IChatSessionGrain : IGrainWithStringKey
{
    /// <summary>Takes a person's message and answers at once: a reply, or a mission that was started.</summary>
    Task<ChatResponse> SendAsync(ChatRequest request);

    /// <summary>The conversation so far, oldest first.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<ChatMessage>> GetMessagesAsync();

    /// <summary>Posts a mission's outcome into the conversation as an assistant message (one-way: the mission does not wait for the chat).</summary>
    [OneWay]
    Task PostMissionOutcomeAsync(MissionOutcomeNotice notice);
}
