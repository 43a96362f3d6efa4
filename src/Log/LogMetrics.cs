using System.Diagnostics.Metrics;

namespace Missions.Log;

/// <summary>The logs' own metrics, on the project's meter (<c>Missions</c>): what a group commit costs.</summary>
public static class LogMetrics
{
    internal static readonly Meter Meter = new("Missions");

    public static readonly Histogram<long> BatchLines = Meter.CreateHistogram<long>("missions.log.batch_lines", "{line}", "Lines per group-commit batch.");
    /// <summary>Seconds to make one batch durable (missions_log_fsync_seconds), from half a millisecond to five seconds.</summary>
    public static readonly Histogram<double> Fsync = Meter.CreateHistogram("missions.log.fsync", "s", "Time to make one batch durable.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    /// <summary>Seconds from a mission line's time to its copy being durable in a web frontend's mirror (cluster mode).</summary>
    public static readonly Histogram<double> MirrorLag = Meter.CreateHistogram("missions.mirror.lag", "s",
        "From a mission line's time to its copy being durable in this web frontend's mirror.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
}
