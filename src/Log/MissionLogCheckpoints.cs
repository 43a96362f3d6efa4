using Microsoft.Extensions.Hosting;

namespace Missions.Log;

/// <summary>
/// Checkpoints the mission index in the background — after every 50,000 new lines, or ten minutes after the
/// last change — and the log itself writes one on a graceful stop, so a start reads only the lines since.
/// </summary>
public sealed class MissionLogCheckpoints(MissionLog log) : BackgroundService
{
    private const long LinesBetween = 50_000;
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AtLeastEvery = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = DateTime.UtcNow;
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var pending = log.Index.LinesSinceCapture;
            if (pending >= LinesBetween || (pending > 0 && DateTime.UtcNow - last >= AtLeastEvery))
            {
                await Task.Run(log.Checkpoint, stoppingToken);
                last = DateTime.UtcNow;
            }
        }
    }
}
