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
    /// is set (the exporter reads the standard <c>OTEL_*</c> variables); <paramref name="tracing"/> and
    /// <paramref name="metrics"/> add more (the web frontend's ASP.NET Core spans and its Prometheus endpoint).
    /// With no trace exporter and no <c>OTEL_TRACES_SAMPLER</c>, spans are propagated but not recorded: every
    /// mission event still carries its trace id, and no grain call pays for a span nobody reads.
    /// </summary>
    public static IOpenTelemetryBuilder AddMissionsTelemetry(this IServiceCollection services, string serviceName,
        Action<TracerProviderBuilder>? tracing = null, Action<MeterProviderBuilder>? metrics = null)
    {
        var otlp = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
        return services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(builder =>
            {
                builder.AddSource(MissionsTelemetry.Name).AddSource(MissionsTelemetry.OrleansSources);
                tracing?.Invoke(builder);
                if (otlp)
                {
                    builder.AddOtlpExporter();
                }
                else if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_TRACES_SAMPLER")))
                {
                    builder.SetSampler(new PropagateOnlySampler());
                }
            })
            .WithMetrics(builder =>
            {
                builder.AddMeter(MissionsTelemetry.Name, MissionsTelemetry.OrleansMeter);
                metrics?.Invoke(builder);
                if (otlp)
                {
                    builder.AddOtlpExporter();
                }
            });
    }
}

/// <summary>
/// Keeps the trace context flowing (so ids reach the log and the next hop) without recording spans: the
/// decision <see cref="SamplingDecision.Drop"/> gives activities that carry ids but collect nothing.
/// </summary>
public sealed class PropagateOnlySampler : Sampler
{
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) => new(SamplingDecision.Drop);
}
