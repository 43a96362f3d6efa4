namespace Missions.Log;

/// <summary>
/// Where missions' and schedules' events are kept, as the grains use it: their streams (<see cref="IEventStore{TEvent}"/>),
/// and the few questions the queue and the schedules' start-up ask of all of them. <see cref="MissionLog"/> on the embedded default.
/// </summary>
public interface IMissionStore : IEventStore<MissionEvent>
{
    /// <summary>Created missions not yet ended nor waiting for approval whose backoff (if any) is over by <paramref name="dueBy"/>, oldest first.</summary>
    ValueTask<IReadOnlyList<(string MissionId, MissionPriority Priority)>> UnfinishedAsync(DateTime dueBy);

    /// <summary>Missions whose last run started and has not ended (status <c>active</c>), oldest first: the runs a queue that comes back holds slots for first.</summary>
    ValueTask<IReadOnlyList<string>> ActiveAsync();

    /// <summary>Proposals waiting for a person's approval, oldest first.</summary>
    ValueTask<IReadOnlyList<string>> ProposedAsync();

    /// <summary>The ids of the schedules' streams (<see cref="ScheduleIds"/>), deleted ones included, oldest first.</summary>
    ValueTask<IReadOnlyList<string>> SchedulesAsync();
}
