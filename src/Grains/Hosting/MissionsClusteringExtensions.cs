using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;

namespace Missions.Hosting;

public static class MissionsClusteringExtensions
{
    public static OrleansEndpointOptions GetOrleansEndpoints(this IConfiguration configuration) =>
        configuration.GetSection(OrleansEndpointOptions.Section).Get<OrleansEndpointOptions>() ?? new OrleansEndpointOptions();

    /// <summary>
    /// One silo with the configured ports and in-memory reminders: on loopback by default; reachable from other
    /// machines or containers when <c>Missions:Orleans:AdvertisedHost</c> is set.
    /// </summary>
    public static ISiloBuilder UseMissionsClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        var endpoints = configuration.GetOrleansEndpoints();
        if (string.IsNullOrWhiteSpace(endpoints.AdvertisedHost))
        {
            silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort, null, endpoints.ServiceId, endpoints.ClusterId);
        }
        else
        {
            var address = ResolveIPv4(endpoints.AdvertisedHost);
            silo.UseDevelopmentClustering(new IPEndPoint(address, endpoints.SiloPort));
            silo.ConfigureEndpoints(address, endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: true);
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = endpoints.ClusterId;
                cluster.ServiceId = endpoints.ServiceId;
            });
        }
        silo.UseInMemoryReminderService();
        return silo;
    }

    /// <summary>An IPv4 address for a host name or address literal.</summary>
    public static IPAddress ResolveIPv4(string host) =>
        IPAddress.TryParse(host, out var literal)
            ? literal
            : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
              ?? throw new InvalidOperationException($"'{host}' has no IPv4 address.");
}
