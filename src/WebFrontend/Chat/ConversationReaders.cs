using Missions.Chat;
using Missions.Log;

namespace Missions.Web.Chat;

/// <summary>Where <c>GET /api/chat/{session_id}</c> reads a conversation.</summary>
public interface IConversationReader
{
    Task<ChatPage> ReadAsync(string sessionId, int? beforeSeq, int? afterSeq, int limit);
}

/// <summary>From the session grain, which knows its conversation (the embedded default, client mode on the silo's files).</summary>
public sealed class SessionConversations(IGrainFactory grains) : IConversationReader
{
    public Task<ChatPage> ReadAsync(string sessionId, int? beforeSeq, int? afterSeq, int limit) =>
        grains.Session(sessionId).GetMessagesAsync(beforeSeq, afterSeq, limit);
}

/// <summary>
/// From this web frontend's mirror of the store (cluster mode): a conversation's history is read at local speed and
/// without activating its session grain on some silo. What was said in the last few milliseconds may not be there
/// yet; the answer to a message comes with its request, and the live stream brings the rest.
/// </summary>
public sealed class MirroredConversations(ChatLog chats) : IConversationReader
{
    public Task<ChatPage> ReadAsync(string sessionId, int? beforeSeq, int? afterSeq, int limit)
    {
        var count = chats.CountOf(sessionId);
        var (from, to) = ChatPage.Window(count, beforeSeq, afterSeq, limit);
        return Task.FromResult(new ChatPage { Messages = chats.Read(sessionId, from, to - from), HasEarlier = from > 0, HasLater = to < count });
    }
}
