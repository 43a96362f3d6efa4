namespace Missions.Queue;

/// <summary>The queue at a glance.</summary>
[GenerateSerializer, Immutable, Alias("missions.QueueStatus")]
public sealed record QueueStatus
{
    /// <summary>Missions waiting for a slot.</summary>
    [Id(0)] public required int Size { get; init; }

    /// <summary>Missions running now.</summary>
    [Id(1)] public required int InFlight { get; init; }

    [Id(2)] public required int ConcurrencyLimit { get; init; }

    /// <summary>Missions dispatched since the queue activated.</summary>
    [Id(3)] public long Dispatched { get; init; }

    /// <summary>The partitions the queue is in (1: one grain for the cluster).</summary>
    [Id(4)] public int Partitions { get; init; } = 1;

    /// <summary>Partitions that did not answer within two seconds (their silo frozen or lost); not in the figures above.</summary>
    [Id(5)] public int PartitionsNotAnswering { get; init; }
}
