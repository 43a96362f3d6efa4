using Microsoft.Extensions.Diagnostics.HealthChecks;
using Missions.Log;

namespace Missions.Web.Health;

/// <summary>Ready when the log's index is loaded and the logs this process writes (on the embedded default) can be written.</summary>
public sealed class LogsHealthCheck(MissionLogReader reader, LogHealth logs) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["missions_indexed"] = reader.Index.Count };
        var problem = logs.Problem();
        return Task.FromResult(problem is null
            ? HealthCheckResult.Healthy("The log index is loaded and the logs can be written.", data)
            : HealthCheckResult.Unhealthy(problem, data: data));
    }
}
