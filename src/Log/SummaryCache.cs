namespace Missions.Log;

/// <summary>
/// Whiteboard cards already folded, by mission and version (a new line makes a new version, so an entry is never
/// stale). Two generations of at most <c>capacity</c> each: when the young one fills, the old one is dropped and
/// the young one becomes old; a hit in the old generation moves back to the young one (an approximate LRU).
/// </summary>
public sealed class SummaryCache(int capacity)
{
    private readonly Lock _lock = new();
    private Dictionary<(string, int), MissionSummary> _young = new(capacity);
    private Dictionary<(string, int), MissionSummary> _old = new(capacity);

    public MissionSummary GetOrAdd(string missionId, int version, Func<MissionSummary> fold)
    {
        var key = (missionId, version);
        lock (_lock)
        {
            if (_young.TryGetValue(key, out var summary))
            {
                return summary;
            }
            if (_old.Remove(key, out summary))
            {
                Keep(key, summary);
                return summary;
            }
        }
        var folded = fold(); // outside the lock: it reads the log
        lock (_lock)
        {
            Keep(key, folded);
        }
        return folded;
    }

    private void Keep((string, int) key, MissionSummary summary)
    {
        if (_young.Count >= capacity)
        {
            (_old, _young) = (_young, _old);
            _young.Clear();
        }
        _young[key] = summary;
    }
}
