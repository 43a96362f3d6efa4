using Microsoft.Extensions.Options;
using Missions.Execution;

namespace Missions.Queue;

/// <summary>Activates the execution queue (each of its partitions) when the silo starts, so missions left unfinished before a restart run.</summary>
public sealed class QueueStartupTask(IGrainFactory grains, IOptions<ExecutionOptions> options) : IStartupTask
{
    public Task Execute(CancellationToken cancellationToken) =>
        Task.WhenAll(grains.QueuePartitionsOf(options.Value.QueuePartitions).Select(queue => queue.EnsureActiveAsync()));
}
