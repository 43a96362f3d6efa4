using Missions.Log;

namespace Missions.EventSourcing;

/// <summary>
/// A mission's or a schedule's state as its stream has it, for a grain that needs to know it without activating it:
/// a mission that ended keeps no activation, and asking its grain would bring one back for minutes (a conversation
/// listing its missions would keep every one of them in memory). Reads only: changes go through the aggregate's grain.
/// </summary>
public sealed class AggregateReader(IMissionStore store)
{
    public async ValueTask<MissionState> MissionAsync(string missionId) =>
        EventFold.Of<MissionState, MissionEvent>(await store.ReadStreamAsync(missionId));

    public async ValueTask<ScheduleState> ScheduleAsync(string scheduleId) =>
        EventFold.Of<ScheduleState, MissionEvent>(await store.ReadStreamAsync(scheduleId));
}
