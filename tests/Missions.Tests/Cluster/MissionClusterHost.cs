using Missions.Research;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Missions.Execution;
using Missions.Hosting;
using Missions.Telemetry;
using Missions.Tests.Support;
using Orleans.TestingHost;

namespace Missions.Tests.Cluster;

/// <summary>
/// An in-process cluster running missions with a <see cref="ScriptedExecutor"/>: one silo over a data directory (the
/// embedded default), or — given a store — several silos on PostgreSQL with their reminders on Redis (cluster mode;
/// membership stays the test cluster's own).
/// </summary>
public sealed class MissionClusterHost : IAsyncDisposable
{
    public const int Concurrency = 2;

    /// <summary>How long a proposal waits for approval here (6 s: the expiry test waits it out).</summary>
    public const double ProposalTtlMinutes = 0.1;

    /// <summary>The objective type whose missions run the real web executor.</summary>
    public const string WebPageExecutorName = "fetch";

    private MissionClusterHost(InProcessTestCluster cluster, ScriptedExecutor executor)
    {
        Cluster = cluster;
        Executor = executor;
    }

    public InProcessTestCluster Cluster { get; }
    public ScriptedExecutor Executor { get; }
    public IClusterClient Client => Cluster.Client;

    /// <summary>Cluster mode's servers: an Npgsql connection string (a database of the cluster's own) and a Redis one.</summary>
    public sealed record StoreServers(string PostgreSql, string Redis, int Silos);

    private StoreServers? _store;

    public static async Task<MissionClusterHost> StartAsync(string dataDirectory, ScriptedExecutor? executor = null, int concurrency = Concurrency, StoreServers? store = null,
        Action<IServiceCollection>? services = null)
    {
        executor ??= new ScriptedExecutor();
        var builder = new InProcessTestClusterBuilder((short)(store?.Silos ?? 1));
        builder.ConfigureClient(client => client.AddActivityPropagation());
        // Spans per grain call, as with an OTLP exporter (the telemetry tests follow them).
        builder.ConfigureSiloHost((_, host) => host.Configuration.AddInMemoryCollection(
            new Dictionary<string, string?>
            {
                [MissionsTelemetry.GrainCallSpansSetting] = "true",
                [Missions.PostgreSql.PostgresServices.Setting] = store?.PostgreSql,
            }));
        builder.ConfigureSilo((_, silo) =>
        {
            if (store is null)
            {
                silo.UseInMemoryReminderService();
            }
            else
            {
                silo.UseRedisReminderService(o => o.ConfigurationOptions = ClusterPreflight.RedisOptions(store.Redis));
            }
            silo.AddMissions(silo.Configuration).AddResearchAgent(silo.Configuration);
            silo.Services.AddSingleton<IMissionExecutor>(executor);
            silo.Services.Configure<MissionsOptions>(o => o.DataDirectory = dataDirectory);
            silo.Services.Configure<Missions.Chat.ChatOptions>(o => o.ProposalTtlMinutes = ProposalTtlMinutes);
            silo.Services.Configure<Missions.Schedules.ScheduleOptions>(o => o.MinimumPeriodSeconds = 1);
            silo.Services.Configure<ExecutionOptions>(o =>
            {
                o.Executor = ScriptedExecutor.ExecutorName;
                o.MaxConcurrency = concurrency;
                // "fetch" missions read real pages (the tests' local website); everything else is scripted.
                o.Executors[WebPageExecutorName] = Missions.Research.ResearchAgent.ExecutorName;
                o.AllowPrivateNetworks = true;
                o.RetryBaseDelaySeconds = 0.2;
                o.QueueSweepSeconds = 0.2;
                o.PolitenessDelayMilliseconds = 0;
            });
            services?.Invoke(silo.Services);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new MissionClusterHost(cluster, executor) { _store = store };
    }

    /// <summary>How many lines the mission has in the store (its version).</summary>
    public async Task<int> VersionOfAsync(string missionId) =>
        (await Cluster.Silos[0].ServiceProvider.GetRequiredService<Missions.Log.IMissionStore>().ReadStreamAsync(missionId)).Count;

    /// <summary>How many missions the store has.</summary>
    public async Task<int> MissionCountAsync()
    {
        if (_store is null)
        {
            return Log.Index.Count;
        }
        await using var db = Npgsql.NpgsqlDataSource.Create(_store.PostgreSql);
        await using var command = db.CreateCommand("SELECT count(*) FROM missions");
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }

    public MissionLog Log => Cluster.Silos[0].ServiceProvider.GetRequiredService<MissionLog>();

    public IMissionGrain Mission(string id) => Client.GetGrain<IMissionGrain>(id);

    public IExecutionQueueGrain Queue => Client.GetGrain<IExecutionQueueGrain>(IExecutionQueueGrain.Key);

    /// <summary>A draft of another session whose objective is a script, with default constraints.</summary>
    public static MissionDraft DraftFrom(string sessionId, string script) => new()
    {
        SessionId = sessionId,
        Objective = new Objective { Type = "research", Description = script },
        Constraints = new MissionConstraints(),
        SourceMessage = script,
    };

    /// <summary>Creates a mission whose objective is a script for the <see cref="ScriptedExecutor"/>.</summary>
    public async Task<string> CreateAsync(string script, int maxDurationSeconds = 30, string? sessionId = null, MissionPriority priority = MissionPriority.Normal)
    {
        var id = Ids.NewMissionId();
        await Mission(id).CreateAsync(new MissionDraft
        {
            SessionId = sessionId ?? "s-" + Guid.NewGuid().ToString("N"),
            Objective = new Objective { Type = "research", Description = script },
            Constraints = new MissionConstraints { AllowedDomains = ["example.org"], MaxPages = 1, MaxDurationSeconds = maxDurationSeconds },
            SourceMessage = script,
            Priority = priority,
        });
        return id;
    }

    public Task<MissionView> WaitForStatusAsync(string missionId, Func<MissionStatus, bool> done, string what) =>
        Eventually.WaitAsync(async () => (await Mission(missionId).GetViewAsync())!, v => v is not null && done(v.Status),
            TimeSpan.FromSeconds(30), $"mission {missionId} to be {what}");

    public Task<MissionView> WaitForTerminalAsync(string missionId) =>
        WaitForStatusAsync(missionId, s => s.IsTerminal(), "terminal");

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
