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

    /// <summary>
    /// Queues a mission without waiting for the queue's answer (the mission's own path: its log lines are the
    /// commitment, and the queue's sweep finds a mission whose notice was lost).
    /// </summary>
    [OneWay]
    Task OfferAsync(string missionId, MissionPriority priority);

    /// <summary>Frees the slot of a mission whose execution ended and dispatches the next (one-way: a lost notice is freed by the lease).</summary>
    [OneWay]
    Task CompleteAsync(string missionId);

    /// <summary>Takes a mission out of the queue if it is waiting there (a cancelled mission; one-way: dispatching it finds it ended).</summary>
    [OneWay]
    Task RemoveAsync(string missionId);

    /// <summary>Size, in-flight count and concurrency limit, for monitoring.</summary>
    [AlwaysInterleave]
    Task<QueueStatus> GetStatusAsync();

    /// <summary>Makes sure the queue is active (it rebuilds itself from the log when it activates).</summary>
    Task EnsureActiveAsync();
}
