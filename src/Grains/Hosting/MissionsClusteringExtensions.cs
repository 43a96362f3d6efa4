using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Missions.Hosting;

public static class MissionsClusteringExtensions
{
    /// <summary><c>Missions:Orleans</c>, read before the host is built (it decides what the host is), and checked then:
    /// a typo in <c>Mode</c> or a port out of range stops start-up with the key's name.</summary>
    public static OrleansEndpointOptions GetOrleansEndpoints(this IConfiguration configuration)
    {
        var options = configuration.GetSection(OrleansEndpointOptions.Section).Get<OrleansEndpointOptions>() ?? new OrleansEndpointOptions();
        const string s = OrleansEndpointOptions.Section;
        var failures = new List<string>();
        if (!options.Mode.Equals("embedded", StringComparison.OrdinalIgnoreCase) && !options.IsClient)
        {
            failures.Add($"{s}:Mode is '{options.Mode}'; use 'embedded' (the web frontend hosts the silo) or 'client' (it connects to a standalone silo).");
        }
        foreach (var (key, port) in new[] { ("SiloPort", options.SiloPort), ("GatewayPort", options.GatewayPort) })
        {
            if (port is < 1 or > 65535)
            {
                failures.Add($"{s}:{key} must be a port from 1 to 65535 (it is {port}).");
            }
        }
        return failures.Count == 0 ? options : throw new Microsoft.Extensions.Options.OptionsValidationException(s, typeof(OrleansEndpointOptions), failures);
    }

    /// <summary>The configuration key of cluster mode's Redis (membership and reminders).</summary>
    public const string RedisSetting = "Missions:Cluster:Redis";

    /// <summary>The initial timeout of a membership probe, in seconds (see <see cref="UseMissionsClustering"/>).</summary>
    public const string ProbeTimeoutSetting = "Missions:Cluster:ProbeTimeoutSeconds";

    /// <summary>Orleans' <see cref="ClusterMembershipOptions"/>, bound by property name.</summary>
    public const string MembershipSection = "Missions:Cluster:Membership";

    /// <summary>Cluster mode's Redis connection string, or null for one process on its own.</summary>
    public static string? ClusterRedis(this IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration[RedisSetting]) ? null : configuration[RedisSetting];

    /// <summary>Cluster mode's PostgreSQL connection string, or null for the embedded logs.</summary>
    public static string? StorePostgreSql(this IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(configuration[PostgreSql.PostgresServices.Setting]) ? null : configuration[PostgreSql.PostgresServices.Setting];

    /// <summary>
    /// One silo with the configured ports and in-memory reminders: on loopback by default; reachable from other
    /// machines or containers when <c>Missions:Orleans:AdvertisedHost</c> is set. With <c>Missions:Cluster:Redis</c>,
    /// one of many: membership and reminders on Redis (the reminders then outlive every silo).
    /// </summary>
    public static ISiloBuilder UseMissionsClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        var endpoints = configuration.GetOrleansEndpoints();
        if (configuration.ClusterRedis() is { } redis)
        {
            if (configuration.StorePostgreSql() is null)
            {
                throw new InvalidOperationException(ClusterPreflight.RedisWithoutStore);
            }
            var address = string.IsNullOrWhiteSpace(endpoints.AdvertisedHost) ? IPAddress.Loopback : ResolveIPv4(endpoints.AdvertisedHost);
            silo.UseRedisClustering(options => options.ConfigurationOptions = ClusterPreflight.RedisOptions(redis));
            silo.UseRedisReminderService(options => options.ConfigurationOptions = ClusterPreflight.RedisOptions(redis));
            silo.ConfigureEndpoints(address, endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: !string.IsNullOrWhiteSpace(endpoints.AdvertisedHost));
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = endpoints.ClusterId;
                cluster.ServiceId = endpoints.ServiceId;
            });
            // The strongly consistent grain directory: the default one may briefly hold two activations of a grain while
            // a lost silo's part of the directory is rebuilt, and two execution queues would each fill the concurrency
            // limit (the kill test saw 25 runs against 24). Every silo of a cluster must run the same directory.
#pragma warning disable ORLEANSEXP003 // Orleans marks it for evaluation; the cluster tests (kill, freeze, rolling restart) run on it
            silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
            // Missions and conversations are found through Redis instead (see RedisDirectoryForNewGrains): a frozen silo
            // then holds up only the grains that live on it, not every new one whose entry falls in its part.
            silo.AddRedisGrainDirectory(RedisDirectoryForNewGrains.Name, options => options.ConfigurationOptions = ClusterPreflight.RedisOptions(redis));
            silo.Services.AddSingleton<Orleans.Runtime.GrainDirectory.IGrainDirectoryResolver, RedisDirectoryForNewGrains>();
            // How soon a silo that stopped answering is declared dead (and its runs go elsewhere): Orleans' adaptive
            // probes, from this timeout up to four times it, three missed in a row. Shorter finds a dead silo sooner
            // but may declare a merely starved one dead (it then stops itself); unset keeps Orleans' default.
            if (configuration.GetValue<double?>(ProbeTimeoutSetting) is { } probeSeconds and > 0)
            {
                silo.Configure<ClusterMembershipOptions>(membership => membership.ProbeTimeout = TimeSpan.FromSeconds(probeSeconds));
            }
            // Operators may tune the rest of Orleans' membership under Missions:Cluster:Membership (its property names:
            // NumVotesForDeathDeclaration, EnableIndirectProbes, ExtendProbeTimeoutDuringDegradation, …). Bound after
            // the probe timeout: binding fixes the probe's bounds that Orleans otherwise derives from it.
            silo.Services.AddOptions<ClusterMembershipOptions>().Bind(configuration.GetSection(MembershipSection));
            return silo;
        }
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
