using Microsoft.Extensions.Configuration;

namespace Missions.Hosting;

public static class MissionsClusteringExtensions
{
    public static OrleansEndpointOptions GetOrleansEndpoints(this IConfiguration configuration) =>
        configuration.GetSection(OrleansEndpointOptions.Section).Get<OrleansEndpointOptions>() ?? new OrleansEndpointOptions();

    /// <summary>A single silo on this machine with the configured ports, and in-memory reminders.</summary>
    public static ISiloBuilder UseMissionsClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        var endpoints = configuration.GetOrleansEndpoints();
        silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort, null, endpoints.ServiceId, endpoints.ClusterId);
        silo.UseInMemoryReminderService();
        return silo;
    }
}
