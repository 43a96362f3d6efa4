using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Missions.Hosting;
using Missions.Research;
using Missions.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.Dashboard;
using Missions.Log;
using Missions.PostgreSql;
using Missions.Web.Chat;
using Missions.Web.Schedules;
using Missions.Web.Health;
using Missions.Web.Http;
using Missions.Web.Live;
using Missions.Web.Missions;
using Missions.Web.Queue;
using Missions.Web.Whiteboard;
using Missions.Web.People;
using System.Threading.RateLimiting;
using Scalar.AspNetCore;

namespace Missions.Web.Hosting;

public static class MissionsWebExtensions
{
    /// <summary>
    /// Composes the web frontend: on the embedded default it hosts the silo itself and reads the log its silo writes;
    /// in client mode (<c>Missions:Orleans:Mode=client</c>) it connects to a standalone silo and tails the shared log.
    /// </summary>
    public static WebApplicationBuilder AddMissions(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddSingleton(new ManagementPorts(ManagementSurfaces.Listen(builder)));
        // Host names this server answers to (DNS rebinding): the local names while it listens on loopback only,
        // unless AllowedHosts says otherwise; listening on other addresses, set AllowedHosts (see README, "Security").
        if (string.IsNullOrWhiteSpace(configuration["AllowedHosts"]) && ManagementSurfaces.AllLoopback(configuration))
        {
            configuration["AllowedHosts"] = "localhost;127.0.0.1;[::1]";
        }
        var endpoints = configuration.GetOrleansEndpoints();
        if (endpoints.IsClient)
        {
            builder.UseOrleansClient(client =>
            {
                // In a cluster the gateways are found through Redis; otherwise they are listed.
                if (configuration.ClusterRedis() is { } redis)
                {
                    client.UseRedisClustering(options => options.ConfigurationOptions = ClusterPreflight.RedisOptions(redis));
                    // The client sends each grain's calls through one gateway and keeps a gateway until its list, read
                    // from Redis, no longer names it: a silo declared dead is dropped within this period (Orleans'
                    // default is a minute, all of it spent sending a frozen silo's share of the calls into it).
                    client.Configure<GatewayOptions>(gateways => gateways.GatewayListRefreshPeriod =
                        TimeSpan.FromSeconds(configuration.GetValue<double?>(MissionsClusteringExtensions.GatewayListRefreshSetting) ?? 2));
                }
                else
                {
                    client.UseStaticClustering(ParseGateways(endpoints.Gateways));
                }
                // How long a request waits for a grain that does not answer (a frozen silo, or a frozen gateway this
                // client sends through) before it is answered 503 and the page sends it again: Orleans' 30 s is longer
                // than a person waits, and longer than the cluster takes to declare a frozen silo dead and move on.
                client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromSeconds(endpoints.ClientResponseTimeoutSeconds));
                client.AddDashboard(HideTrace)
                    .Configure<ClusterOptions>(cluster =>
                    {
                        cluster.ClusterId = endpoints.ClusterId;
                        cluster.ServiceId = endpoints.ServiceId;
                    });
                if (MissionsTelemetry.GrainCallSpans(configuration))
                {
                    client.AddActivityPropagation();
                }
            });
        }
        else
        {
            // The silo runs in this process; on the embedded default it writes the logs, and the reader and feeds
            // are its writer's (see AddMissionLogs).
            builder.UseOrleans(silo => silo.UseMissionsClustering(configuration).AddMissions(configuration).AddResearchAgent(configuration).AddDashboard(HideTrace));
        }
        if (configuration.StorePostgreSql() is { } store)
        {
            // Cluster mode: the silos write PostgreSQL; this process mirrors it into logs of its own, which the
            // whiteboard, the live stream and the signals read as on the embedded default.
            builder.Services.AddMissionLogs(configuration);
            builder.Services.AddStoreMirror(store);
            builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("store", tags: [HealthEndpoints.Ready]);
            builder.Services.AddSingleton<IConversationReader, MirroredConversations>();
        }
        else if (endpoints.IsClient)
        {
            // The silo writes the logs; this process follows its files (and writes none: its health has nothing to probe).
            builder.Services.Configure<MissionsOptions>(configuration.GetSection("Missions"));
            builder.Services.AddSingleton<MissionLogFollower>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<MissionLogFollower>());
            builder.Services.AddSingleton(sp => sp.GetRequiredService<MissionLogFollower>().Reader);
            builder.Services.AddSingleton(sp => sp.GetRequiredService<MissionLogFollower>().Feed);
            builder.Services.AddSingleton<ChatLogFollower>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ChatLogFollower>());
            builder.Services.AddSingleton(sp => sp.GetRequiredService<ChatLogFollower>().Feed);
            builder.Services.AddSingleton<LogHealth>();
        }

        // The whiteboard's search: an index of the missions' words beside the mission index, in every mode.
        builder.Services.AddSingleton<MissionSearch>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MissionSearch>());

        builder.AddMissionsSignIn(configuration.StorePostgreSql());
        if (configuration.StorePostgreSql() is { } keyStore)
        {
            builder.Services.AddServerKeyInStore(keyStore);
        }
        builder.Services.AddServerKey();
        builder.Services.AddSingleton<Access>();
        builder.Services.AddRateLimiter(limiter =>
        {
            // Each signed-in person has a bucket of requests (Missions:Limits); the local owner is the only person and is not limited.
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.User.Person() is { IsLocal: false } person
                    ? RateLimitPartition.GetTokenBucketLimiter(person.Id, _ =>
                    {
                        var limits = context.RequestServices.GetRequiredService<IOptions<PersonLimits>>().Value;
                        return new TokenBucketRateLimiterOptions
                        {
                            TokenLimit = Math.Max(1, limits.RequestBurst),
                            TokensPerPeriod = Math.Max(1, limits.RequestsPerSecond),
                            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                            QueueLimit = 0,
                            AutoReplenishment = true,
                        };
                    })
                    : RateLimitPartition.GetNoLimiter(""));
            limiter.OnRejected = (rejected, _) =>
            {
                var limits = rejected.HttpContext.RequestServices.GetRequiredService<IOptions<PersonLimits>>().Value;
                return new ValueTask(Problems.TooMany(rejected.HttpContext, "Too many requests",
                    $"You sent more than {limits.RequestsPerSecond} requests a second (bursts of {limits.RequestBurst}); wait a moment and try again.", 1)
                    .ExecuteAsync(rejected.HttpContext));
            };
        });
        // The API described by the framework (GET /openapi/v1.json), with an interactive reference at /api/reference.
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Missions";
            document.Info.Description = "Chat-driven background work: conversations, missions, schedules, the whiteboard and its live stream. " +
                "With sign-in configured, send a bearer token from the service's OpenID Connect provider.";
            return Task.CompletedTask;
        }));
        builder.Services.AddMissionsTelemetry("missions-web",
            tracing => tracing.AddAspNetCoreInstrumentation(),
            metrics => metrics.AddAspNetCoreInstrumentation().AddPrometheusExporter());
        builder.Services.TryAddSingleton<IConversationReader, SessionConversations>();
        builder.Services.AddSingleton<LiveStreamSlots>();
        builder.Services.AddSingleton<MessageMarkup>();
        builder.Services.AddMissionsHealthChecks();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<LogUnavailableExceptionHandler>();
        builder.Services.AddExceptionHandler<ClusterUnavailableExceptionHandler>();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            var shared = MissionsJson.Options;
            json.SerializerOptions.PropertyNamingPolicy = shared.PropertyNamingPolicy;
            json.SerializerOptions.DefaultIgnoreCondition = shared.DefaultIgnoreCondition;
            json.SerializerOptions.Encoder = shared.Encoder;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, MissionsJsonContext.Default);
        });
        return builder;
    }

    /// <summary>The page, the chat, whiteboard, mission and queue APIs, the live stream, and health checks.</summary>
    public static WebApplication MapMissions(this WebApplication app)
    {
        // The request's trace goes with its grain calls even when they are not traced one by one
        // (Missions:Telemetry:GrainCallSpans): a mission's lines carry the trace of the chat that created it.
        app.Use((context, next) =>
        {
            if (MissionsTelemetry.ActivityTraceParent() is { } traceParent)
            {
                RequestContext.Set(MissionsTelemetry.TraceParentKey, traceParent);
            }
            return next(context);
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseManagementSurfaces(app.Services.GetRequiredService<ManagementPorts>());
        var signIn = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        app.UseRequestSafety(signIn.SignInConfigured && Uri.TryCreate(signIn.Authority, UriKind.Absolute, out var authority) ? authority.GetLeftPart(UriPartial.Authority) : null);
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseMissionsSignIn();
        if (signIn.SignInConfigured)
        {
            app.UseRateLimiter(); // per person: the local owner alone is not limited, and pays nothing for it
        }
        Schedules.ScheduleEndpoints.ReportUnreadable(app.Services.GetRequiredService<MissionLogReader>(), app.Services.GetRequiredService<ILoggerFactory>());
        app.MapChat();
        app.MapWhiteboard();
        app.MapFallbackToFile("/missions/{missionId}", "index.html"); // a mission's permalink: the page opens its detail
        app.MapQueue();
        app.MapMissionCommands();
        app.MapSchedules();
        app.MapLiveStream();
        app.MapHealth();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapOpenApi(ApiDocument.Route).AllowAnonymous();
        app.MapScalarApiReference(ApiDocument.ReferencePath, reference => reference.WithTitle("Missions API").WithOpenApiRoutePattern(ApiDocument.Route)).AllowAnonymous();
        DeferredEndpoints.MapDeferred(app, "Orleans dashboard", endpoints => endpoints.MapOrleansDashboard("/dashboard"));
        return app;
    }

    /// <summary>The dashboard without its live log trace: the silo's log lines name sessions, and a session id is a capability.</summary>
    private static void HideTrace(DashboardOptions dashboard) => dashboard.HideTrace = true;

    private static IPEndPoint[] ParseGateways(string gateways) =>
        gateways.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(gateway =>
            {
                var colon = gateway.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(gateway[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var port))
                {
                    throw new InvalidOperationException($"Missions:Orleans:Gateways: '{gateway}' is not host:port.");
                }
                return new IPEndPoint(MissionsClusteringExtensions.ResolveIPv4(gateway[..colon]), port);
            })
            .ToArray();
}
