namespace Missions.Queue;

/// <summary>
/// The execution queue in partitions (<c>Missions:Execution:QueuePartitions</c>): each mission belongs to one, by a
/// stable hash of its id, and each partition has its share of <c>MaxConcurrency</c> — the shares add up to the limit,
/// so the limit holds across the cluster while no one grain holds up every start.
/// </summary>
public static class QueuePartitions
{
    /// <summary>The most partitions there may be.</summary>
    public const int Most = 64;

    /// <summary>The partition a mission belongs to (FNV-1a of its id: the same in every process and build).</summary>
    public static int Of(string missionId, int partitions)
    {
        if (partitions <= 1)
        {
            return 0;
        }
        var hash = 2166136261u;
        foreach (var c in missionId)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)(hash % (uint)partitions);
    }

    /// <summary>A partition's share of the limit: the limit split as evenly as it goes, the first partitions taking the rest.</summary>
    public static int Limit(int maxConcurrency, int partitions, int partition) =>
        partitions <= 1 ? maxConcurrency : maxConcurrency / partitions + (partition < maxConcurrency % partitions ? 1 : 0);
}
