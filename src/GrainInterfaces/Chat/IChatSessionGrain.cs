namespace Missions.Chat;

/// <summary>One conversation, keyed by session id; durable in <c>chat_sessions.jsonl</c>.</summary>
public interface IChatSessionGrain : IGrainWithStringKey
{
    /// <summary>Takes a person's message and answers at once: a reply, or a mission that was started.</summary>
    Task<ChatResponse> SendAsync(ChatRequest request);

    /// <summary>
    /// Part of the conversation, oldest first: the <paramref name="limit"/> messages right after the one numbered
    /// <paramref name="afterSeq"/> when it is given, else the last <paramref name="limit"/> before
    /// <paramref name="beforeSeq"/> (or before the end). Messages are numbered from 1 (<see cref="ChatMessage.Seq"/>).
    /// </summary>
    [AlwaysInterleave]
    Task<ChatPage> GetMessagesAsync(int? beforeSeq, int? afterSeq, int limit);

    /// <summary>Posts a mission's outcome into the conversation as an assistant message (one-way: the mission does not wait for the chat).</summary>
    [OneWay]
    Task PostMissionOutcomeAsync(MissionOutcomeNotice notice);

    /// <summary>
    /// Renames the conversation and/or archives or restores it, as lines of its own (<see cref="ChatMessage.ConversationRole"/>);
    /// false when there is no such conversation (nothing said in it yet). Writes nothing for what is already so.
    /// </summary>
    Task<bool> ChangeAsync(ConversationChange change);
}
