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
            return HealthCheckResult.Healthy("The execution queue answers.", new Dictionary<string, object>
            {
                ["size"] = queue.Size, ["in_flight"] = queue.InFlight, ["concurrency_limit"] = queue.ConcurrencyLimit,
            });
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            return HealthCheckResult.Unhealthy("The execution queue does not answer; the cluster may be starting or a silo lost (the log says why).",
                data: new Dictionary<string, object> { [HealthEndpoints.OperatorDetail] = $"{ex.GetType().Name}: {ex.Message}" });
        }
    }
}
