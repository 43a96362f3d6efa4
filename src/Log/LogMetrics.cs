using System.Diagnostics.Metrics;

namespace Missions.Log;

/// <summary>The logs' own metrics, on the project's meter (<c>Missions</c>): what a group commit costs.</summary>
public static class LogMetrics
{
    private static readonly Meter Meter = new("Missions");

    public static readonly Histogram<long> BatchLines = Meter.CreateHistogram<long>("missions.log.batch_lines", "{line}", "Lines per group-commit batch.");
    public static readonly Histogram<double> Fsync = Meter.CreateHistogram<double>("missions.log.fsync", "ms", "Time to make one batch durable.");
}
