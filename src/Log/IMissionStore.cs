namespace Missions.Log;

/// <summary>
/// Where missions' events are kept, as the grains use it: append with an expected version (durable when it
/// returns), read one mission back, and find the unfinished ones. <see cref="MissionLog"/> on the embedded default.
/// </summary>
public interface IMissionStore
{
    /// <summary>
    /// Appends a mission's new events if its version is still <paramref name="expectedVersion"/>, numbering them
    /// (<c>seq</c>) from there. Returns false, writing nothing, when another writer got there first.
    /// </summary>
    Task<bool> AppendAsync(string missionId, IReadOnlyList<MissionEvent> events, int expectedVersion);

    /// <summary>The mission's events, oldest first; empty when it is unknown.</summary>
    ValueTask<IReadOnlyList<MissionEvent>> ReadEventsAsync(string missionId);

    /// <summary>Created missions not yet ended nor waiting for approval whose backoff (if any) is over by <paramref name="dueBy"/>, oldest first.</summary>
    ValueTask<IReadOnlyList<(string MissionId, MissionPriority Priority)>> UnfinishedAsync(DateTime dueBy);

    /// <summary>Proposals waiting for a person's approval, oldest first.</summary>
    ValueTask<IReadOnlyList<string>> ProposedAsync();

    /// <summary>The ids of the schedules' streams (<see cref="ScheduleIds"/>), deleted ones included, oldest first.</summary>
    ValueTask<IReadOnlyList<string>> SchedulesAsync();
}
