using Missions.Chat;

namespace Missions.Log;

/// <summary>
/// Where conversations are kept: one stream per conversation (<see cref="IEventStore{TEvent}"/>, its messages
/// numbered like a mission's events), and a page of one read by position. <see cref="ChatLog"/> on the embedded default.
/// </summary>
public interface IChatStore : IEventStore<ChatMessage>
{
    /// <summary>The session's messages from position <paramref name="from"/> (0 is its first), at most <paramref name="count"/>, oldest first.</summary>
    ValueTask<IReadOnlyList<ChatMessage>> ReadAsync(string sessionId, int from, int count);
}
