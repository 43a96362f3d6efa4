using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Missions.Hosting;

public static class MissionsClusteringExtensions
{
    /// <summary><c>Missions:Orleans</c>, read before the host is built (it decides what the host is), and checked then
    /// with the cluster's timings read there too: a typo in <c>Mode</c>, a port out of range or a timing that is no
    /// positive number of seconds stops start-up with the key's name.</summary>
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
        if (options.ClientResponseTimeoutSeconds is not (> 0 and <= 300))
        {
            failures.Add($"{s}:ClientResponseTimeoutSeconds must be more than 0 and at most 300 seconds (it is {options.ClientResponseTimeoutSeconds}).");
        }
        // The cluster's timings, read where the silo or client is built: a number of seconds, more than 0.
        foreach (var key in new[] { ProbeTimeoutSetting, GatewayListRefreshSetting })
        {
            if (configuration[key] is { Length: > 0 } text
                && !(double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 300))
            {
                failures.Add($"{key} must be a number of seconds more than 0 and at most 300 (it is '{text}').");
            }
        }
        return failures.Count == 0 ? options : throw new Microsoft.Extensions.Options.OptionsValidationException(s, typeof(OrleansEndpointOptions), failures);
    }

    /// <summary>The configuration key of cluster mode's Redis (membership and reminders).</summary>
    public const string RedisSetting = "Missions:Cluster:Redis";

    /// <summary>The initial timeout of a membership probe, in seconds, 2 by default (see <see cref="UseMissionsClustering"/>).</summary>
    public const string ProbeTimeoutSetting = "Missions:Cluster:ProbeTimeoutSeconds";

    /// <summary>How often a web frontend in cluster mode reads the live gateways from Redis, in seconds (2 by default).</summary>
    public const string GatewayListRefreshSetting = "Missions:Cluster:GatewayListRefreshSeconds";

    /// <summary>Orleans' <see cref="GrainDirectoryOptions"/>, bound by property name.</summary>
    public const string DirectorySection = "Missions:Cluster:Directory";

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
            // How soon a silo that stopped answering (frozen, cut off) is declared dead, so that its conversations,
            // missions and queue partition come back on the others: probes directly, every ProbeTimeoutSeconds (2 s by
            // default; Orleans adapts each probe's timeout to the answers it gets, here between half of it and 1.5×),
            // three missed in a row, two votes — about 10 s on a busy two-core machine (Orleans' defaults took 25 s
            // and more: probes up to 4× the timeout, indirect probes and longer ones while a silo itself looks slow,
            // right for a big cluster, where a starved silo should not evict a healthy one). A silo declared dead while
            // merely starved stops itself and its runs go to the others; nothing is lost.
            var probe = TimeSpan.FromSeconds(configuration.GetValue<double?>(ProbeTimeoutSetting) ?? 2);
            silo.Configure<ClusterMembershipOptions>(membership =>
            {
                membership.ProbeTimeout = probe;
                membership.MaxProbeTimeout = probe * 1.5;
                membership.EnableIndirectProbes = false;
                membership.ExtendProbeTimeoutDuringDegradation = false;
                // A silo that wakes after it was declared dead learns it from its next read of the membership table
                // and stops: every 5 s (Orleans' default is a minute, during which it could go on serving the grains
                // that have come back elsewhere — there is no directory lease here; see below).
                membership.TableRefreshTimeout = TimeSpan.FromSeconds(5);
            });
            // After a silo is declared dead, Orleans' directory holds its grains (the queue's partitions, schedules)
            // for a lease of 30 s from when it stopped answering, in case it wakes and goes on serving them before it
            // learns it was declared dead: with the queue among them, no mission started for that long. Here every
            // write is fenced by version in the store, so a silo that wakes records nothing twice (it stops when it
            // learns); the lease only delays the queue's return. Off, unless set under Missions:Cluster:Directory.
            silo.Configure<GrainDirectoryOptions>(directory => directory.RangeLeaseDuration = TimeSpan.Zero);
            silo.Services.AddOptions<GrainDirectoryOptions>().Bind(configuration.GetSection(DirectorySection));
            // Operators may tune the rest of Orleans' membership under Missions:Cluster:Membership (its property names:
            // NumVotesForDeathDeclaration, MaxProbeTimeout, EnableIndirectProbes, …): what is set there wins over the above.
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
