using Missions.Chat;

namespace Missions.Log;

/// <summary>What every mission store does to an append before it writes it.</summary>
public static class MissionAppend
{
    /// <summary>
    /// The events numbered (<c>seq</c>) on from <paramref name="expectedVersion"/>; each must be the mission's own.
    /// </summary>
    public static MissionEvent[] Number(string missionId, IReadOnlyList<MissionEvent> events, int expectedVersion)
    {
        var numbered = new MissionEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].MissionId != missionId)
            {
                throw new ArgumentException($"Event for {events[i].MissionId} appended to mission {missionId}.", nameof(events));
            }
            numbered[i] = events[i] with { Seq = expectedVersion + i + 1 };
        }
        return numbered;
    }

    /// <summary>
    /// The missions a store is appending to right now: one append per mission at a time, as the version check
    /// needs (a second one is told the version moved). <paramref name="stillExpected"/> is checked atomically with
    /// entering.
    /// </summary>
    public sealed class InFlight
    {
        private readonly HashSet<string> _missions = new(StringComparer.Ordinal);

        public bool TryEnter(string missionId, Func<bool>? stillExpected = null)
        {
            lock (_missions)
            {
                return (stillExpected is null || stillExpected()) && _missions.Add(missionId);
            }
        }

        public void Exit(string missionId)
        {
            lock (_missions)
            {
                _missions.Remove(missionId);
            }
        }
    }
}

/// <summary>What every chat store does to an append before it writes it.</summary>
public static class ChatAppend
{
    /// <summary>The messages numbered (<c>seq</c>) on from <paramref name="expectedVersion"/>; each must be the conversation's own.</summary>
    public static ChatMessage[] Number(string sessionId, IReadOnlyList<ChatMessage> messages, int expectedVersion)
    {
        var numbered = new ChatMessage[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].SessionId != sessionId)
            {
                throw new ArgumentException($"Message of {messages[i].SessionId} appended to conversation {sessionId}.", nameof(messages));
            }
            numbered[i] = messages[i] with { Seq = expectedVersion + i + 1 };
        }
        return numbered;
    }
}
