using Missions.Chat;

namespace Missions.Log;

/// <summary>Where conversations are kept, as the session grains use it. <see cref="ChatLog"/> on the embedded default.</summary>
public interface IChatStore
{
    /// <summary>Appends messages of one session; durable when the task completes.</summary>
    Task AppendAsync(IReadOnlyList<ChatMessage> messages);

    /// <summary>The session's messages from position <paramref name="from"/> (0 is its first), at most <paramref name="count"/>, oldest first.</summary>
    ValueTask<IReadOnlyList<ChatMessage>> ReadAsync(string sessionId, int from, int count);
}
