namespace Missions.Queue;

/// <summary>Activates the execution queue when the silo starts, so missions left unfinished before a restart run.</summary>
public sealed class QueueStartupTask(IGrainFactory grains) : IStartupTask
{
    public Task Execute(CancellationToken cancellationToken) =>
        grains.Queue().EnsureActiveAsync();
}
