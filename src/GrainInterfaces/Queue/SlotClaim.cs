namespace Missions.Queue;

/// <summary>The answer to <see cref="IExecutionQueueGrain.ClaimAsync"/>.</summary>
[GenerateSerializer, Alias("missions.SlotClaim")]
public enum SlotClaim
{
    /// <summary>The mission waits in the queue (or was there already); the queue starts it when its turn comes.</summary>
    Queued,

    /// <summary>A slot is the mission's now: it starts itself and frees the slot when its run ends.</summary>
    Granted,
}
