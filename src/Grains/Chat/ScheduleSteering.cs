using Missions.EventSourcing;
using Missions.Log;
using Missions.Schedules;

namespace Missions.Chat;

/// <summary>
/// A conversation's schedules, said in words: set ("check … every hour"), listed ("schedules"), paused, resumed and
/// stopped. The schedules' states are read from the store (see <see cref="AggregateReader"/>); changes go through
/// their grains.
/// </summary>
public sealed class ScheduleSteering(
    string sessionId, ConversationState conversation, IGrainFactory grains, AggregateReader aggregates, ScheduleOptions options, ServerKey serverKey)
{
    /// <summary>Schedules a conversation may keep at once (not deleted): each fires on its own, so a client cannot set thousands.</summary>
    public const int MaxSchedulesPerSession = 20;

    public async Task<ChatResponse> SetAsync(ChatRequest request, Intent intent)
    {
        if (intent.Schedule is not { } cadence)
        {
            return Reply(intent.ScheduleError!); // a cadence was named that cannot be used: what is wrong with it
        }
        var shortest = options.MinimumPeriod;
        if (cadence.ShortestGap(DateTime.UtcNow) < shortest)
        {
            return Reply(ChatReplies.TooOften(cadence, shortest));
        }
        var kept = 0;
        foreach (var existing in conversation.Schedules)
        {
            kept += await aggregates.ScheduleAsync(existing) is { Exists: true, Deleted: false } ? 1 : 0;
        }
        if (kept >= MaxSchedulesPerSession)
        {
            return Reply($"This chat has {kept} schedules, the most it may keep; stop one first (\"schedules\" lists them).");
        }
        var draft = MissionDraftBuilder.Build(sessionId, intent.WorkText ?? request.Message, intent, null, request.Priority);
        var scheduleId = request.ClientMessageId is { } id ? ScheduleIds.For(serverKey.Key, sessionId, id) : ScheduleIds.New();
        var result = await grains.GetGrain<IScheduleGrain>(scheduleId).CreateAsync(new ScheduleCreated
        {
            MissionId = scheduleId,
            Timestamp = DateTime.UtcNow,
            SessionId = sessionId,
            Cadence = cadence.Text,
            EverySeconds = cadence.EverySeconds,
            Cron = cadence.Cron,
            Objective = draft.Objective,
            Constraints = draft.Constraints,
            StartUrls = draft.StartUrls,
            Priority = draft.Priority,
            SourceMessage = request.Message,
            Owner = conversation.Owner,
        });
        if (!result.Accepted)
        {
            return Reply(result.Message);
        }
        return new ChatResponse
        {
            Type = ChatResponse.ScheduleCreated, SessionId = sessionId, ScheduleId = scheduleId,
            Message = ChatReplies.ScheduleSet(scheduleId, draft, cadence, result.NextRun),
        };
    }

    /// <summary>"schedules", "pause …", "resume …", "stop …" (a cancel that means a schedule comes here as a delete).</summary>
    public async Task<ChatResponse> SteerAsync(Intent intent)
    {
        var schedules = conversation.Schedules;
        var states = new Dictionary<string, ScheduleState>(StringComparer.Ordinal);
        foreach (var scheduleId in schedules)
        {
            states[scheduleId] = await aggregates.ScheduleAsync(scheduleId);
        }
        if (intent.Command == SessionCommand.Schedules)
        {
            var views = schedules.Where(s => states[s] is { Exists: true, Deleted: false })
                .Select(s => ScheduleViews.From(s, states[s], _ => null, withSession: false)).ToList();
            return Reply(ChatReplies.Schedules(views));
        }
        string? target;
        if (intent.Target is null)
        {
            target = schedules.LastOrDefault(s => !states[s].Deleted);
        }
        else
        {
            var matches = schedules.Where(s => s.StartsWith(intent.Target, StringComparison.OrdinalIgnoreCase)
                || s[ScheduleIds.Prefix.Length..].StartsWith(intent.Target, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count > 1)
            {
                return Reply(ChatReplies.Ambiguous(intent.Target, matches.Count));
            }
            target = matches.SingleOrDefault();
        }
        if (target is null)
        {
            return Reply(intent.Target is null ? "You have no schedules in this chat." : $"None of your schedules in this chat has an id starting with '{intent.Target}'.");
        }
        var schedule = grains.GetGrain<IScheduleGrain>(target);
        var by = Actor.Chat(conversation.Owner!);
        var result = intent.Command switch
        {
            SessionCommand.Pause => await schedule.PauseAsync(by),
            SessionCommand.Resume => await schedule.ResumeAsync(by),
            _ => await schedule.DeleteAsync(by),
        };
        return Reply(result.Message) with { ScheduleId = target };
    }

    private ChatResponse Reply(string text) => new() { Type = ChatResponse.Reply, SessionId = sessionId, Message = text };
}
