using Missions.Log;

namespace Missions.Schedules;

/// <summary>
/// Wakes every schedule when the silo starts: with in-memory reminders (the embedded default) a restart lost them, and
/// a firing missed while the process was down runs now, once. With durable reminders (cluster mode) waking is harmless
/// (it only sets the same reminder again). Runs in the background: the silo does not wait for it.
/// </summary>
public sealed partial class ScheduleStartupTask(IGrainFactory grains, IMissionStore store, ILogger<ScheduleStartupTask> logger) : IStartupTask
{
    public Task Execute(CancellationToken cancellationToken)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                var schedules = await store.SchedulesAsync();
                foreach (var id in schedules)
                {
                    try
                    {
                        await grains.GetGrain<IScheduleGrain>(id).WakeAsync();
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        LogWakeFailed(logger, ex, id);
                    }
                }
                if (schedules.Count > 0)
                {
                    LogWoken(logger, schedules.Count);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogListFailed(logger, ex);
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} schedules woken at start")]
    private static partial void LogWoken(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId} could not be woken at start; its reminder (if durable) still fires")]
    private static partial void LogWakeFailed(ILogger logger, Exception ex, string scheduleId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The schedules could not be listed at start")]
    private static partial void LogListFailed(ILogger logger, Exception ex);
}
