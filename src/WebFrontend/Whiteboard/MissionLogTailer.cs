using Missions.Log;

namespace Missions.Web.Whiteboard;

/// <summary>
/// In client mode the silo writes the log in another process: this follows it, indexing new complete lines as
/// they land (a partly written line waits for its newline), so views never re-read the whole file.
/// </summary>
public sealed partial class MissionLogTailer(MissionLogReader reader, ILogger<MissionLogTailer> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long position = 0;
        var caughtUp = false;
        using var timer = new PeriodicTimer(Period);
        do
        {
            try
            {
                // The log as it was at start is only indexed; what lands after is also raised for the live stream.
                var scan = reader.IndexFrom(position, tellListeners: caughtUp, problem => LogMalformed(logger, problem));
                position = scan.CompleteLength;
                caughtUp = true;
            }
            catch (IOException ex)
            {
                LogReadFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped a malformed line of the mission log: {Problem}")]
    private static partial void LogMalformed(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the mission log failed; retrying")]
    private static partial void LogReadFailed(ILogger logger, Exception ex);
}
