using Microsoft.Extensions.Diagnostics.HealthChecks;
using Missions.Log;

namespace Missions.Web.Health;

/// <summary>Ready when the log's index is loaded and, where this process writes the logs (the embedded default), they can be written.</summary>
public sealed class LogsHealthCheck(MissionLogReader reader, IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["missions_indexed"] = reader.Index.Count };
        // A web client in client mode has no writer: only its reading is checked.
        var problem = services.GetService<LogHealth>()?.Problem();
        return Task.FromResult(problem is null
            ? HealthCheckResult.Healthy("The log index is loaded and the logs can be written.", data)
            : HealthCheckResult.Unhealthy(problem, data: data));
    }
}
