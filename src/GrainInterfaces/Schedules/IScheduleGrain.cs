namespace Missions;

/// <summary>A recurring mission, keyed by its id (<c>sch-…</c>): it fires through a reminder and makes an ordinary mission each time.</summary>
public interface IScheduleGrain : IGrainWithStringKey
{
    /// <summary>Creates the schedule (again: returns it as it is).</summary>
    Task<ScheduleCommandResult> CreateAsync(ScheduleCreated definition);

    Task<ScheduleCommandResult> PauseAsync(Actor by);

    Task<ScheduleCommandResult> ResumeAsync(Actor by);

    Task<ScheduleCommandResult> DeleteAsync(Actor by);

    /// <summary>At start: its reminder registered again (in-memory reminders are lost with the process) and a firing missed meanwhile run once.</summary>
    Task WakeAsync();

    /// <summary>A mission it made has ended: its result is compared with the previous run's.</summary>
    [OneWay]
    Task RunEndedAsync(string missionId);
}
