using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Missions.Web.Health;

/// <summary>Ready when the execution queue answers within five seconds.</summary>
public sealed class QueueHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var queue = await grains.Queue().GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            var data = new Dictionary<string, object>
            {
                ["size"] = queue.Size, ["in_flight"] = queue.InFlight, ["concurrency_limit"] = queue.ConcurrencyLimit,
                ["partitions"] = queue.Partitions, ["partitions_not_answering"] = queue.PartitionsNotAnswering,
            };
            return queue.PartitionsNotAnswering > 0
                ? HealthCheckResult.Degraded($"{queue.PartitionsNotAnswering} of the execution queue's {queue.Partitions} partitions do not answer; their missions wait until their silo is back or declared dead.", data: data)
                : HealthCheckResult.Healthy("The execution queue answers.", data);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            return HealthCheckResult.Unhealthy("The execution queue does not answer; the cluster may be starting or a silo lost (the log says why).",
                data: new Dictionary<string, object> { [HealthEndpoints.OperatorDetail] = $"{ex.GetType().Name}: {ex.Message}" });
        }
    }
}
