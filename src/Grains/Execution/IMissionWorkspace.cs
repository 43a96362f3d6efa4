namespace Missions.Execution;

/// <summary>
/// What an executor keeps for a mission while it may run again (the research agent's fetched pages, so a retried
/// attempt does not fetch them twice): let go when the mission ends, in any terminal status, and swept by age for
/// whatever an ending missed. Keeping is only an optimisation, so letting go never fails a mission.
/// </summary>
public interface IMissionWorkspace
{
    /// <summary>Lets go of what was kept for <paramref name="missionId"/>.</summary>
    Task ForgetAsync(string missionId);

    /// <summary>Lets go of what missions kept longer ago than <paramref name="age"/>; returns how many missions' went.</summary>
    Task<int> SweepOlderThanAsync(TimeSpan age);
}

/// <summary>No executor keeps anything (the research agent is not hosted).</summary>
public sealed class NoWorkspace : IMissionWorkspace
{
    public Task ForgetAsync(string missionId) => Task.CompletedTask;

    public Task<int> SweepOlderThanAsync(TimeSpan age) => Task.FromResult(0);
}
