namespace Missions.Queue;

/// <summary>
/// The execution queue: de-duplicates, orders (priority, then FIFO, with ageing) and dispatches missions under a
/// concurrency limit.
/// One per cluster, key <see cref="Key"/> — or one per partition of the cluster's missions, keys <see cref="Key"/> to
/// <see cref="Key"/> + partitions − 1 (see <see cref="QueuePartitions"/>).
/// </summary>
public interface IExecutionQueueGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    /// <summary>Queues a mission; a mission that is queued or running already is reported as a duplicate.</summary>
    Task<EnqueueResult> EnqueueAsync(string missionId, MissionPriority priority = MissionPriority.Normal);

    /// <summary>
    /// A mission asks for a slot while its queued line is written: <see cref="SlotClaim.Granted"/> when one is free
    /// and nothing waits ahead of it — the mission starts itself (no dispatch call) and frees the slot with
    /// <see cref="CompleteAsync"/>; otherwise it is queued (or was already) and dispatched in turn.
    /// The mission's log lines stay the commitment: the queue's sweep finds a mission whose claim was lost.
    /// </summary>
    Task<SlotClaim> ClaimAsync(string missionId, MissionPriority priority, int budgetSeconds);

    /// <summary>Frees the slot of a mission whose execution ended and dispatches the next (one-way: a lost notice is freed by the lease).</summary>
    [OneWay]
    Task CompleteAsync(string missionId);

    /// <summary>Takes a mission out of the queue if it is waiting there (a cancelled mission; one-way: dispatching it finds it ended).</summary>
    [OneWay]
    Task RemoveAsync(string missionId);

    /// <summary>Size, in-flight count and concurrency limit, for monitoring: of the whole queue, asked of its first partition.</summary>
    [AlwaysInterleave]
    Task<QueueStatus> GetStatusAsync();

    /// <summary>This partition's own size, in-flight count and share of the limit.</summary>
    [AlwaysInterleave]
    Task<QueueStatus> GetPartitionStatusAsync();

    /// <summary>Makes sure the queue is active (it rebuilds itself from the log when it activates).</summary>
    Task EnsureActiveAsync();

    /// <summary>
    /// A silo left the cluster (it died, or stopped): the runs it held may be gone with it. Each running mission is
    /// asked again at once instead of when its lease runs out: a live run keeps its slot, a lost one runs again as
    /// its next attempt on a silo that is there.
    /// </summary>
    Task SiloLostAsync();
}
