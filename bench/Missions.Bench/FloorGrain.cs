using Missions;
using Missions.Log;

/// <summary>
/// The floor under a mission, for comparison in the same run: one grain call to a new activation that writes a
/// mission's lines through the same durable, group-committed log and returns, then goes away. With four lines
/// it writes what a noop mission must (created and queued, active, completed: three fsync rounds, each waited
/// for); with one line, a single <c>mission_created</c> (the bare "Orleans + fsynced JSONL" pipeline). No queue,
/// no session, no signals, no executor.
/// </summary>
public interface IFloorGrain : IGrainWithStringKey
{
    Task RunAsync(int lines);
}

public sealed class FloorGrain(MissionLog log) : Grain, IFloorGrain
{
    public async Task RunAsync(int lines)
    {
        var id = this.GetPrimaryKeyString();
        var now = DateTime.UtcNow;
        MissionEvent created = new MissionCreated
        {
            MissionId = id, Timestamp = now, SessionId = "floor",
            Objective = new Objective { Type = "research", Description = "noop" },
            Constraints = new MissionConstraints { AllowedDomains = ["example.org"] },
            SourceMessage = "noop",
        };
        if (lines == 1)
        {
            await Append([created], 0);
        }
        else
        {
            await Append([created, Status(id, MissionStatus.Queued, "queued")], 0);
            await Append([Status(id, MissionStatus.Active, "execution_started")], 2);
            await Append([Status(id, MissionStatus.Completed, "execution_finished") with { CompletedAt = DateTime.UtcNow }], 3);
        }
        DeactivateOnIdle();
    }

    private async Task Append(IReadOnlyList<MissionEvent> events, int version)
    {
        if (!await log.AppendAsync(this.GetPrimaryKeyString(), events, version))
        {
            throw new InvalidOperationException("The floor's mission moved underneath it.");
        }
    }

    private static MissionStatusUpdated Status(string id, MissionStatus status, string reason) =>
        new() { MissionId = id, Timestamp = DateTime.UtcNow, Status = status, Attempt = 1, Reason = reason };
}
