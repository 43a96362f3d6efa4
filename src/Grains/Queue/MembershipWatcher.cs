using Microsoft.Extensions.Hosting;

namespace Missions.Queue;

/// <summary>
/// On every silo: when another silo leaves the cluster (declared dead, or stopped), tells the execution queue, so the
/// runs that silo held are asked after at once and the queue itself — if it lived there — comes back on a silo that
/// is still here, rebuilt from the store with everything that was queued.
/// </summary>
public sealed partial class MembershipWatcher(
    IClusterMembershipService membership, IGrainFactory grains, Microsoft.Extensions.Options.IOptions<Execution.ExecutionOptions> options, ILogger<MembershipWatcher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        HashSet<SiloAddress>? gone = null;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                if (gone is null)
                {
                    // Silos already dead when this one started (the membership table keeps them a while) were told of
                    // when they went, or their runs' leases find them: a restart reports only what goes from now on.
                    gone = [.. snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress)];
                    continue;
                }
                var lost = snapshot.Members.Values
                    .Where(m => m.Status == SiloStatus.Dead && gone.Add(m.SiloAddress))
                    .Select(m => m.SiloAddress)
                    .ToList();
                if (lost.Count == 0)
                {
                    continue;
                }
                LogSiloLost(logger, string.Join(", ", lost));
                // Every partition, each on its own: one that does not answer does not keep the others from hearing.
                await Task.WhenAll(grains.QueuePartitionsOf(options.Value.QueuePartitions).Select(async queue =>
                {
                    try
                    {
                        await queue.SiloLostAsync().WaitAsync(TimeSpan.FromSeconds(30), stoppingToken);
                    }
                    catch (Exception ex) when (ex is OrleansException or TimeoutException)
                    {
                        LogQueueUnreachable(logger, ex); // its timer and reminder still sweep, on lease expiry
                    }
                }));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo(s) {Silos} left the cluster; the execution queue asks after their runs")]
    private static partial void LogSiloLost(ILogger logger, string silos);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The execution queue could not be told that a silo left; its lease sweep will find the runs")]
    private static partial void LogQueueUnreachable(ILogger logger, Exception ex);
}
