using Missions.EventSourcing;

namespace Missions.Chat;

/// <summary>
/// A conversation's commands about its missions, said in words: "status", "approve", "reject", "cancel", "retry",
/// "revise … to 3 pages" — of the mission named by an id prefix, or the one "that" means. Targets are found in the
/// conversation's own state (<see cref="ConversationState.Missions"/>), never by reading the conversation back;
/// the missions' states are read from the store, not their grains (see <see cref="AggregateReader"/>).
/// </summary>
public sealed class MissionSteering(string sessionId, ConversationState conversation, IGrainFactory grains, AggregateReader aggregates)
{
    public async Task<ChatResponse> SteerAsync(Intent intent, string message)
    {
        var missions = conversation.Missions;
        if (intent.Command == SessionCommand.Status)
        {
            return Reply(ChatReplies.Missions(await LatestCardsAsync(), missions.Count));
        }
        var deciding = intent.Command is SessionCommand.Approve or SessionCommand.Reject or SessionCommand.Revise;

        string? target;
        if (intent.Target is null && deciding)
        {
            target = await LatestProposalAsync();
            if (target is null)
            {
                return Reply(intent.Command == SessionCommand.Revise ? ChatReplies.NothingToRevise : ChatReplies.NothingToDecide);
            }
        }
        else if (intent.Target is null)
        {
            target = missions.Count > 0 ? missions[^1] : null;
        }
        else
        {
            var matches = missions.Where(m => m.StartsWith(intent.Target, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count > 1)
            {
                return Reply(ChatReplies.Ambiguous(intent.Target, matches.Count));
            }
            target = matches.SingleOrDefault();
        }
        if (target is null)
        {
            return Reply(ChatReplies.NoSuchMission(intent.Target));
        }
        var mission = grains.Mission(target);
        MissionRevision? revision = null;
        if (intent.Command == SessionCommand.Revise && (revision = MissionDraftBuilder.RevisionIn(message, intent)).ChangesNothing)
        {
            return Reply(ChatReplies.NothingToRevise);
        }
        var by = Actor.Chat(conversation.Owner!);
        var result = intent.Command switch
        {
            SessionCommand.Cancel => await mission.CancelAsync(by),
            SessionCommand.Approve => await mission.ApproveAsync(by),
            SessionCommand.Reject => await mission.RejectAsync(by),
            SessionCommand.Revise => await mission.ReviseAsync(revision!),
            _ => await mission.RetryAsync(by),
        };
        return Reply(result.Message) with { MissionId = target, Status = result.Status };
    }

    private ChatResponse Reply(string text) => new() { Type = ChatResponse.Reply, SessionId = sessionId, Message = text };

    /// <summary>The conversation's newest proposal still waiting for approval, or null. Only the missions this chat
    /// proposed are asked after — not every mission of a long conversation.</summary>
    private async Task<string?> LatestProposalAsync()
    {
        for (var i = conversation.Proposals.Count - 1; i >= 0; i--)
        {
            var missionId = conversation.Proposals[i];
            if (await aggregates.MissionAsync(missionId) is { Status: MissionStatus.Proposed, Exists: true })
            {
                return missionId;
            }
        }
        return null;
    }

    /// <summary>The cards of the conversation's latest missions, oldest first.</summary>
    private async Task<List<MissionSummary>> LatestCardsAsync()
    {
        var cards = new List<MissionSummary>();
        foreach (var missionId in conversation.Missions.TakeLast(ChatReplies.MissionsShown))
        {
            if (await aggregates.MissionAsync(missionId) is { Exists: true } mission)
            {
                cards.Add(MissionSummary.From(mission));
            }
        }
        return cards;
    }
}
