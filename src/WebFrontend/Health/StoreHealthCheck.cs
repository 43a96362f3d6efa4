using Microsoft.Extensions.Diagnostics.HealthChecks;
using Missions.PostgreSql;

namespace Missions.Web.Health;

/// <summary>Cluster mode: ready while this web frontend's mirror reads the store (PostgreSQL).</summary>
public sealed class StoreHealthCheck(StoreMirror mirror) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["mirrored_to_position"] = mirror.MissionsPosition ?? 0 };
        if (mirror.ProblemDetail is { } detail)
        {
            data[HealthEndpoints.OperatorDetail] = detail; // shown on the management URLs only
        }
        return Task.FromResult(mirror.Problem is { } problem
            ? HealthCheckResult.Unhealthy(problem, data: data)
            : HealthCheckResult.Healthy("The mirror follows the store.", data));
    }
}
