using Missions;
using Missions.Chat;
using Missions.Log;

/// <summary>
/// The floor under a mission, for comparison in the same run: one grain call to a new activation that writes a
/// mission's lines through the same durable, group-committed log and returns, then goes away. With four lines
/// it writes what a noop mission must (created, queued and active in one append when a slot is free, then completed:
/// two fsync rounds, each waited for); with five, the mission's outcome line in the chat after them (a third round,
/// on the chat's file); with one line, a single <c>mission_created</c> (the bare "Orleans + fsynced JSONL" pipeline).
/// No queue, no session grain, no signals, no executor.
/// </summary>
public interface IFloorGrain : IGrainWithStringKey
{
    Task RunAsync(int lines);
}

public sealed class FloorGrain(MissionLog log, ChatLog chat) : Grain, IFloorGrain
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
            await Append([created, Status(id, MissionStatus.Queued, "queued"), Status(id, MissionStatus.Active, "execution_started")], 0);
            await Append([Status(id, MissionStatus.Completed, "execution_finished") with { CompletedAt = DateTime.UtcNow }], 3);
            if (lines == 5)
            {
                // The result back in the chat: a mission is done when its outcome line is durable in its session.
                // (Each mission's own conversation: the chat store checks a conversation's version, and the floor has no
                // grain to keep one per conversation.)
                await chat.AppendAsync("floor-" + id, [new ChatMessage
                {
                    SessionId = "floor-" + id, Timestamp = DateTime.UtcNow, Role = ChatMessage.AssistantRole,
                    Text = $"Mission {id} completed.", MissionId = id, ReplyType = ChatResponse.MissionUpdate, Status = MissionStatus.Completed, Attempt = 1,
                }], 0);
            }
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
