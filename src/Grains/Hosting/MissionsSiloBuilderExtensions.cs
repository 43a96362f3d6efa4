using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Missions.Chat;
using Missions.Execution;
using Missions.Log;
using Missions.PostgreSql;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Missions.Queue;
using Missions.LanguageModel;
using Missions.Telemetry;
using Orleans.Configuration;

namespace Missions.Hosting;

public static class MissionsSiloBuilderExtensions
{
    /// <summary>
    /// Adds missions to a silo: the store (the logs under <c>Missions:DataDirectory</c>, or PostgreSQL in cluster
    /// mode), the event-sourced mission, schedule and conversation grains, the execution queue (activated at start-up,
    /// kept alive by a reminder) and the built-in executors (<c>noop</c>, <c>delay</c>). The research agent, the
    /// default executor, is its own project: add it with <c>AddResearchAgent</c>.
    /// </summary>
    public static ISiloBuilder AddMissions(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (configuration.StorePostgreSql() is { } store)
        {
            // Cluster mode: the grains write the shared store; each web frontend mirrors it into its own logs.
            silo.Services.Configure<MissionsOptions>(configuration.GetSection("Missions"));
            silo.Services.AddPostgresStore(store);
        }
        else
        {
            silo.Services.AddMissionLogs(configuration);
        }
        if (configuration.StorePostgreSql() is { } keyStore)
        {
            silo.Services.AddServerKeyInStore(keyStore);
        }
        silo.Services.AddServerKey();
        silo.Services.AddMissionsOptions(configuration);
        silo.Services.AddSingleton<IntentClassifier>();
        silo.Services.AddSingleton<EventSourcing.AggregateReader>();
        silo.Services.AddSingleton<IMissionExecutor, NoopExecutor>();
        LlmClient.AddLanguageModel(silo.Services, configuration.GetSection(LlmOptions.Section).Get<LlmOptions>() ?? new LlmOptions());
        silo.Services.AddSingleton<LlmClient>();
        silo.Services.AddSingleton<LlmIntentReader>();
        silo.Services.TryAddSingleton<IMissionWorkspace, NoWorkspace>(); // an executor that keeps something replaces it
        silo.Services.AddSingleton<IMissionExecutor, DelayExecutor>();
        silo.Services.AddSingleton<ExecutorCatalog>();
        silo.Services.AddSingleton<QueueReachability>();
        silo.Services.AddPlacementDirector<QueuePartitionPlacement, QueuePartitionPlacementDirector>();
        silo.Services.TryAddSingleton(TimeProvider.System);

        silo.AddStartupTask<QueueStartupTask>();
        silo.AddStartupTask<Schedules.ScheduleStartupTask>();
        // A schedule's period may be as short as configured; Orleans' reminders must allow it.
        silo.Services.AddOptions<Orleans.Hosting.ReminderOptions>().Configure<IOptions<Schedules.ScheduleOptions>>((reminders, schedules) =>
        {
            if (schedules.Value.MinimumPeriod < reminders.MinimumReminderPeriod)
            {
                reminders.MinimumReminderPeriod = schedules.Value.MinimumPeriod;
            }
        });
        silo.Services.AddHostedService<MembershipWatcher>();
        silo.Services.AddHostedService<IdleMemoryTrimmer>();
        // A graceful stop waits for running missions up to their grace period (see MissionGrain.OnDeactivateAsync).
        silo.Services.AddOptions<HostOptions>().Configure<IOptions<ExecutionOptions>>((host, execution) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(Math.Max(host.ShutdownTimeout.TotalSeconds, execution.Value.ShutdownGraceSeconds + 15)));
        // Where each grain was last seen, kept per silo: Orleans keeps a million by default, and every mission is a grain
        // activated once — at steady load the cache grew by every mission for days. Sessions and the queue are what repeat.
        silo.Services.Configure<GrainDirectoryOptions>(directory => directory.CacheSize = 20_000);
        silo.Services.AddOptions<GrainCollectionOptions>().Configure<IOptions<ExecutionOptions>>((grains, execution) =>
            grains.DeactivationTimeout = TimeSpan.FromSeconds(Math.Max(grains.DeactivationTimeout.TotalSeconds, execution.Value.ShutdownGraceSeconds + 5)));
        // A span per grain call, when traces go somewhere (see MissionsTelemetry.GrainCallSpansSetting): the filters
        // that make them cost CPU on every call even when nothing listens.
        if (MissionsTelemetry.GrainCallSpans(configuration))
        {
            silo.AddActivityPropagation();
        }
        return silo;
    }

    /// <summary>
    /// The mission, signal and chat logs of this process (one writer per file): the stores the grains write, and the
    /// reader and feeds the web frontend and the signals projection follow.
    /// </summary>
    public static IServiceCollection AddMissionLogs(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<MissionsOptions>(configuration.GetSection("Missions"));
        // Retention moves ended missions out of this process's own logs; a web frontend's mirror of the store must keep
        // what the store has (retention in the store is not built), so cluster mode refuses it with the key's name.
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section))
            .Validate(r => r.EndedMissionDays is null or (>= 0 and <= 36_500),
                $"{RetentionOptions.Section}:EndedMissionDays is a number of days from 0 to 36500 (a fraction of a day is allowed), or unset to keep every mission.")
            .Validate(r => r.IdleConversationDays is null or (>= 0 and <= 36_500),
                $"{RetentionOptions.Section}:IdleConversationDays is a number of days from 0 to 36500 (a fraction of a day is allowed), or unset to keep every conversation.")
            .Validate(r => (r.EndedMissionDays is null && r.IdleConversationDays is null) || configuration.StorePostgreSql() is null,
                $"{RetentionOptions.Section} applies to the embedded default's logs; in cluster mode every mission stays in PostgreSQL "
                + "(retention there is not built yet): remove the setting.")
            .ValidateOnStart();
        services.TryAddSingleton<MissionLog>();
        services.TryAddSingleton<IMissionStore>(sp => sp.GetRequiredService<MissionLog>());
        services.TryAddSingleton(sp => sp.GetRequiredService<MissionLog>().Reader);
        services.TryAddSingleton(sp => sp.GetRequiredService<MissionLog>().Feed);
        // After the mission log: its opening compacts the chat log too (Missions:Retention), before anything reads it.
        services.TryAddSingleton(sp =>
        {
            _ = sp.GetRequiredService<MissionLog>();
            return ActivatorUtilities.CreateInstance<ChatLog>(sp);
        });
        services.TryAddSingleton<IChatStore>(sp => sp.GetRequiredService<ChatLog>());
        services.TryAddSingleton(sp => sp.GetRequiredService<ChatLog>().Feed);
        services.TryAddSingleton<SignalLog>();
        services.AddHostedService(sp => sp.GetRequiredService<SignalLog>()); // opened as the host starts: the signals follow the mission log from then on
        services.AddSingleton<IWrittenLog>(sp => sp.GetRequiredService<MissionLog>());
        services.AddSingleton<IWrittenLog>(sp => sp.GetRequiredService<ChatLog>());
        services.AddSingleton<IWrittenLog>(sp => sp.GetRequiredService<SignalLog>());
        services.TryAddSingleton<LogHealth>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MissionLogCheckpoints>());
        return services;
    }
}
