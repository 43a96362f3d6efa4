namespace Missions.Queue;

/// <summary>
/// The execution queue: de-duplicates, orders (priority, then FIFO, with ageing) and dispatches missions under a
/// concurrency limit.
/// One per cluster, key <see cref="Key"/>.
/// </summary>
public interface IExecutionQueueGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    /// <summary>Queues a mission; a mission that is queued or running already is reported as a duplicate.</summary>
    Task<EnqueueResult> EnqueueAsync(string missionId, MissionPriority priority = MissionPriority.Normal);

    /// <summary>Frees the slot of a mission whose execution ended and dispatches the next.</summary>
    Task CompleteAsync(string missionId);

    /// <summary>Takes a mission out of the queue if it is waiting there (a cancelled mission).</summary>
    Task RemoveAsync(string missionId);

    /// <summary>Size, in-flight count and concurrency limit, for monitoring.</summary>
    [AlwaysInterleave]
    Task<QueueStatus> GetStatusAsync();

    /// <summary>Makes sure the queue is active (it rebuilds itself from the log when it activates).</summary>
    Task EnsureActiveAsync();
}
