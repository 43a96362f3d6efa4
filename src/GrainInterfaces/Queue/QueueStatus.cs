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
}
