namespace Missions.Queue;

/// <summary>
/// Waiting missions in one FIFO lane per priority. The next to run is the head (the oldest) of the lane whose
/// effective priority is best, where a mission gains one level for every <c>ageing</c> it has waited, so a
/// low-priority mission is not starved by a steady stream of high ones; ties go to the one that waited longer.
/// </summary>
public sealed class PriorityLanes(TimeSpan ageing)
{
    private readonly LinkedList<Waiting>[] _lanes = [new(), new(), new()];
    private readonly Dictionary<string, LinkedListNode<Waiting>> _byId = new(StringComparer.Ordinal);

    private readonly record struct Waiting(string MissionId, MissionPriority Priority, DateTime Since);

    public int Count => _byId.Count;

    public bool Contains(string missionId) => _byId.ContainsKey(missionId);

    public void Add(string missionId, MissionPriority priority, DateTime now) =>
        _byId[missionId] = _lanes[(int)priority].AddLast(new Waiting(missionId, priority, now));

    public bool Remove(string missionId)
    {
        if (!_byId.Remove(missionId, out var node))
        {
            return false;
        }
        node.List!.Remove(node);
        return true;
    }

    /// <summary>Takes the mission that should run next, if any.</summary>
    public bool TryTake(DateTime now, out string missionId)
    {
        LinkedListNode<Waiting>? best = null;
        var bestLevel = double.MaxValue;
        foreach (var lane in _lanes)
        {
            if (lane.First is not { } head)
            {
                continue;
            }
            var level = (int)head.Value.Priority - (ageing > TimeSpan.Zero ? Math.Floor((now - head.Value.Since) / ageing) : 0);
            if (level < bestLevel || (level == bestLevel && head.Value.Since < best!.Value.Since))
            {
                best = head;
                bestLevel = level;
            }
        }
        if (best is null)
        {
            missionId = "";
            return false;
        }
        missionId = best.Value.MissionId;
        Remove(missionId);
        return true;
    }
}
