using Npgsql;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Missions.Telemetry;

public static class MissionsTelemetryExtensions
{
    /// <summary>
    /// Traces and metrics of the project and of Orleans, exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
    /// is set (the exporter reads the standard <c>OTEL_*</c> variables); <paramref name="configure"/> adds more
    /// (the web frontend's ASP.NET Core spans and its Prometheus endpoint). Outgoing HTTP requests and PostgreSQL
    /// commands are spans of their own.
    /// </summary>
    public static IOpenTelemetryBuilder AddMissionsTelemetry(this IServiceCollection services, string serviceName,
        Action<TracerProviderBuilder>? tracing = null, Action<MeterProviderBuilder>? metrics = null)
    {
        var otlp = MissionsTelemetry.Exporting;
        return services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(builder =>
            {
                // Outgoing HTTP (the research agent's fetches, the language model, the sign-in provider) and the store's commands, as child spans.
                builder.AddSource(MissionsTelemetry.Name).AddSource(MissionsTelemetry.OrleansSources)
                    .AddHttpClientInstrumentation()
                    .AddNpgsql();
                tracing?.Invoke(builder);
                if (otlp)
                {
                    builder.AddOtlpExporter();
                }
            })
            .WithMetrics(builder =>
            {
                // System.Runtime: the runtime's own GC, heap and thread-pool figures (dotnet_gc_*, dotnet_process_*), for soak runs and dashboards.
                builder.AddMeter(MissionsTelemetry.Name, MissionsTelemetry.OrleansMeter, "System.Runtime");
                metrics?.Invoke(builder);
                if (otlp)
                {
                    builder.AddOtlpExporter();
                }
            });
    }
}
