namespace Missions.Chat;

/// <summary>
/// The mission outcomes a conversation was handed lately, to drop a redelivery. A mission sends one notice per ended
/// attempt, one-way, so a repeat can only be a redelivery close behind the first — but one-way messages may arrive
/// out of order, so "close" is a time, not a count (a count would keep a busy conversation's last few hundred for good).
/// </summary>
public sealed class RecentOutcomes
{
    /// <summary>How long an outcome is remembered.</summary>
    private static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(2);

    /// <summary>At most this many are remembered at once, however many arrive within the time.</summary>
    private const int MaxRemembered = 1_024;

    private readonly HashSet<(string MissionId, int Attempt)> _noted = [];
    private readonly Queue<((string MissionId, int Attempt) Key, DateTime NotedAt)> _order = new();

    /// <summary>Notes an outcome (when it is handed over to be written, and when it is read back); false when it was already.</summary>
    public bool Note(string missionId, int attempt)
    {
        if (!_noted.Add((missionId, attempt)))
        {
            return false;
        }
        var now = DateTime.UtcNow;
        _order.Enqueue(((missionId, attempt), now));
        while (_order.Count > MaxRemembered || now - _order.Peek().NotedAt > RememberFor)
        {
            _noted.Remove(_order.Dequeue().Key);
        }
        return true;
    }

    /// <summary>An outcome that could not be written: a redelivery (or the next activation) may post it again.</summary>
    public void Forget(string missionId, int attempt) => _noted.Remove((missionId, attempt));
}
