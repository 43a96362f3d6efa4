namespace Missions.Queue;

/// <summary>The answer to <see cref="IExecutionQueueGrain.EnqueueAsync"/>.</summary>
[GenerateSerializer, Immutable, Alias("missions.EnqueueResult")]
public sealed record EnqueueResult
{
    /// <summary>True when the mission was queued or running already and nothing was added.</summary>
    [Id(0)] public required bool Duplicate { get; init; }
}
