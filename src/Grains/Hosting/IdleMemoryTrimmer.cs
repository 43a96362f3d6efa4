using Microsoft.Extensions.Hosting;

namespace Missions.Hosting;

/// <summary>
/// Gives the memory a burst took back to the system once the process is quiet. The collector grows the heap to what a
/// burst needs and keeps it: with nothing allocated afterwards it never runs again, so the resident set stays at the
/// burst's peak however little of it is still live (the dead objects a burst promoted wait in the oldest generation).
/// When the process has allocated next to nothing for half a minute and its heap grew since the last trim, one
/// aggressive, compacting collection frees them and decommits the rest (a pause of a few hundred
/// milliseconds, when nothing is waiting on it); then nothing more until the next busy spell.
/// </summary>
public sealed partial class IdleMemoryTrimmer(ILogger<IdleMemoryTrimmer> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    /// <summary>Allocated in one period, what still counts as quiet (timers, metrics, health probes).</summary>
    private const long QuietBytes = 16L * 1024 * 1024;

    /// <summary>Quiet periods before a trim.</summary>
    private const int QuietPeriods = 3;

    /// <summary>Grown since the last trim, what is worth one (dead objects a burst left in the oldest generation count).</summary>
    private const long SlackBytes = 64L * 1024 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        var allocated = GC.GetTotalAllocatedBytes();
        var quiet = 0;
        var trimmed = true; // nothing to give back before the first busy spell
        var committedAfterTrim = GC.GetGCMemoryInfo().TotalCommittedBytes;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = GC.GetTotalAllocatedBytes();
            var busy = now - allocated > QuietBytes;
            allocated = now;
            if (busy)
            {
                quiet = 0;
                trimmed = false;
                continue;
            }
            if (trimmed || ++quiet < QuietPeriods)
            {
                continue;
            }
            trimmed = true;
            if (GC.GetGCMemoryInfo().TotalCommittedBytes < committedAfterTrim + SlackBytes)
            {
                continue;
            }
            var before = Environment.WorkingSet;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            LogTrimmed(logger, (before - Environment.WorkingSet) / (1024 * 1024), Environment.WorkingSet / (1024 * 1024), clock.ElapsedMilliseconds);
            allocated = GC.GetTotalAllocatedBytes();
            committedAfterTrim = GC.GetGCMemoryInfo().TotalCommittedBytes;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Quiet after a busy spell: gave {FreedMb} MB back to the system ({RssMb} MB resident) in {ElapsedMs} ms")]
    private static partial void LogTrimmed(ILogger logger, long freedMb, long rssMb, long elapsedMs);
}
