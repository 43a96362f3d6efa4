using Microsoft.Extensions.Options;
using Missions.Execution;
using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Missions.Queue;

/// <summary>
/// Where the execution queue's partitions live: partition <c>k</c> on the <c>k</c>-th of the silos in address order
/// (round and round when there are more partitions than silos), so that no silo holds two while another holds none,
/// and a frozen silo stops only its own partitions' starts. With one partition, a silo at random (as Orleans' default).
/// </summary>
[Serializable, GenerateSerializer, Immutable, Alias("missions.QueuePartitionPlacement")]
public sealed class QueuePartitionPlacement : PlacementStrategy
{
    public static QueuePartitionPlacement Instance { get; } = new();

    /// <summary>The silo a partition belongs on, of the silos there are: the one at its place in address order.</summary>
    public static SiloAddress HomeOf(int partition, IEnumerable<SiloAddress> silos)
    {
        var inOrder = silos.Order().ToArray();
        return inOrder[partition % inOrder.Length];
    }
}

/// <summary>Marks the execution queue's grain class as placed by <see cref="QueuePartitionPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class QueuePartitionPlacementAttribute() : PlacementAttribute(QueuePartitionPlacement.Instance);

/// <summary>Places the queue's partitions (see <see cref="QueuePartitionPlacement"/>).</summary>
public sealed class QueuePartitionPlacementDirector(IOptions<ExecutionOptions> options) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (options.Value.QueuePartitions <= 1 || !target.GrainIdentity.TryGetIntegerKey(out var key, out _))
        {
            return Task.FromResult(silos[Random.Shared.Next(silos.Length)]);
        }
        return Task.FromResult(QueuePartitionPlacement.HomeOf((int)(key - IExecutionQueueGrain.Key), silos));
    }
}
