using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;

namespace Missions.Telemetry;

/// <summary>
/// The project's traces and metrics, both named <see cref="Name"/>. Spans: <c>mission.execute</c> (a run,
/// parented on the chat request that created the mission, so the whole story is one trace) and
/// <c>mission.fetch</c> (one page read). Metrics: missions created and ended (by status), queue depth and
/// in-flight count, chat → active and active → terminal times, pages fetched (the logs' batch size and fsync time: Missions.Log.LogMetrics).
/// </summary>
public static class MissionsTelemetry
{
    public const string Name = "Missions";

    /// <summary>Orleans' own activity sources and meter, enabled beside ours.</summary>
    public static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];
    public const string OrleansMeter = "Microsoft.Orleans";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Created = Meter.CreateCounter<long>("missions.created", "{mission}", "Missions created.");
    public static readonly Counter<long> Ended = Meter.CreateCounter<long>("missions.ended", "{mission}", "Missions that reached a terminal status, by status.");
    // Durations in seconds, as the OpenTelemetry and Prometheus conventions say (missions_chat_to_active_seconds), with
    // buckets from a millisecond (a mission starts within a few) to an hour (the longest budget).
    private static readonly InstrumentAdvice<double> DurationBuckets = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    };

    public static readonly Histogram<double> ChatToActive = Meter.CreateHistogram("missions.chat_to_active", "s", "From the chat request that created a mission to its run starting.", advice: DurationBuckets);
    public static readonly Histogram<double> ActiveToTerminal = Meter.CreateHistogram("missions.active_to_terminal", "s", "From a run starting to the mission's end.", advice: DurationBuckets);
    public static readonly Counter<long> LlmFailures = Meter.CreateCounter<long>("missions.llm.failures", "{call}", "Language model calls that failed and fell back to the rules or the extractive answer, by use.");
    public static readonly Counter<long> PagesFetched = Meter.CreateCounter<long>("missions.pages_fetched", "{page}", "Pages fetched by executors.");

    /// <summary>Per partition of the queue held on this silo (see <see cref="Queue.QueuePartitions"/>); the gauges add them up.</summary>
    private static readonly int[] QueueDepths = new int[Queue.QueuePartitions.Most];
    private static readonly int[] InFlights = new int[Queue.QueuePartitions.Most];

    static MissionsTelemetry()
    {
        Meter.CreateObservableGauge("missions.queue.depth", () => Sum(QueueDepths), "{mission}", "Missions waiting for a slot (in the queue's partitions on this silo).");
        Meter.CreateObservableGauge("missions.queue.in_flight", () => Sum(InFlights), "{mission}", "Missions running (in the queue's partitions on this silo).");
    }

    private static int Sum(int[] values)
    {
        var sum = 0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += Volatile.Read(ref values[i]);
        }
        return sum;
    }

    /// <summary>Called by the queue (a partition of it) whenever its counts change, and with zeros when it leaves this silo.</summary>
    public static void SetQueue(int depth, int inFlight, int partition = 0)
    {
        Volatile.Write(ref QueueDepths[partition], depth);
        Volatile.Write(ref InFlights[partition], inFlight);
    }

    /// <summary>The request-context key that carries a caller's W3C trace context across grain calls.</summary>
    public const string TraceParentKey = "traceparent";

    /// <summary>
    /// Setting that turns Orleans' span per grain call (and its trace propagation) on or off; by default on when
    /// traces are exported (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set). Off, a caller's trace context still
    /// reaches the grains in the request context (<see cref="TraceParentKey"/>), so a mission's lines carry the
    /// trace of the request that created it either way.
    /// </summary>
    public const string GrainCallSpansSetting = "Missions:Telemetry:GrainCallSpans";

    /// <summary>Whether traces are exported over OTLP.</summary>
    public static bool Exporting => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));

    /// <summary>Whether grain calls get a span each (<see cref="GrainCallSpansSetting"/>, else whether traces are exported).</summary>
    public static bool GrainCallSpans(IConfiguration configuration) =>
        configuration.GetValue<bool?>(GrainCallSpansSetting) ?? Exporting;

    /// <summary>
    /// The W3C trace context to store with a mission: the current activity's, else the caller's from the request
    /// context (when grain calls are not traced); null when neither is traced.
    /// </summary>
    public static string? CurrentTraceParent() => ActivityTraceParent() ?? RequestContext.Get(TraceParentKey) as string;

    /// <summary>The W3C trace context of the current activity, or null.</summary>
    public static string? ActivityTraceParent() => Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } id } ? id : null;

    /// <summary>The trace id (32 hex digits) of a W3C trace context, or null.</summary>
    public static string? TraceIdOf(string? traceParent) =>
        ActivityContext.TryParse(traceParent, null, out var context) ? context.TraceId.ToHexString() : null;
}
