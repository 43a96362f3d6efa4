using Missions.Schedules;

namespace Missions.Chat;

/// <summary>A conversation's schedules: set in words ("check … every hour"), listed ("schedules"), paused, resumed and stopped.</summary>
public sealed partial class ChatSessionGrain
{
    /// <summary>Schedules a conversation may keep at once (not deleted): each fires on its own, so a client cannot set thousands.</summary>
    public const int MaxSchedulesPerSession = 20;

    /// <summary>The schedules this conversation set, oldest first.</summary>
    private readonly List<string> _schedules = [];

    /// <summary>Position of the last answer that set a schedule (-1: none).</summary>
    private int _lastScheduleAnswer = -1;

    private async Task<ChatResponse> ScheduleAsync(ChatRequest request, Intent intent)
    {
        if (intent.Schedule is not { } cadence)
        {
            return Reply(intent.ScheduleError!); // a cadence was named that cannot be used: what is wrong with it
        }
        var shortest = scheduleOptions.Value.MinimumPeriod;
        if (cadence.ShortestGap(DateTime.UtcNow) < shortest)
        {
            return Reply(ChatReplies.TooOften(cadence, shortest));
        }
        var kept = 0;
        foreach (var existing in _schedules)
        {
            kept += ScheduleState.Fold(await missionLog.ReadEventsAsync(existing)) is { Exists: true, Deleted: false } ? 1 : 0;
        }
        if (kept >= MaxSchedulesPerSession)
        {
            return Reply($"This chat has {kept} schedules, the most it may keep; stop one first (\"schedules\" lists them).");
        }
        var draft = MissionDraftBuilder.Build(SessionId, intent.WorkText ?? request.Message, intent, null, request.Priority);
        var scheduleId = request.ClientMessageId is { } id ? ScheduleIds.For(serverKey.Key, SessionId, id) : ScheduleIds.New();
        var result = await GrainFactory.GetGrain<IScheduleGrain>(scheduleId).CreateAsync(new ScheduleCreated
        {
            MissionId = scheduleId,
            Timestamp = DateTime.UtcNow,
            SessionId = SessionId,
            Cadence = cadence.Text,
            EverySeconds = cadence.EverySeconds,
            Cron = cadence.Cron,
            Objective = draft.Objective,
            Constraints = draft.Constraints,
            StartUrls = draft.StartUrls,
            Priority = draft.Priority,
            SourceMessage = request.Message,
            Owner = _owner,
        });
        if (!result.Accepted)
        {
            return Reply(result.Message);
        }
        return new ChatResponse
        {
            Type = ChatResponse.ScheduleCreated, SessionId = SessionId, ScheduleId = scheduleId,
            Message = ChatReplies.ScheduleSet(scheduleId, draft, cadence, result.NextRun),
        };
    }

    /// <summary>True when "that" means a schedule: one was set after the last mission was asked for.</summary>
    private bool ThatIsASchedule => _lastScheduleAnswer > _lastMissionAnswer;

    private async Task<ChatResponse> SteerScheduleAsync(Intent intent)
    {
        var schedules = _schedules;
        var states = new Dictionary<string, ScheduleState>(StringComparer.Ordinal);
        foreach (var scheduleId in schedules)
        {
            states[scheduleId] = ScheduleState.Fold(await missionLog.ReadEventsAsync(scheduleId));
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
        var schedule = GrainFactory.GetGrain<IScheduleGrain>(target);
        var result = intent.Command switch
        {
            SessionCommand.Pause => await schedule.PauseAsync(Actor.Chat(_owner!)),
            SessionCommand.Resume => await schedule.ResumeAsync(Actor.Chat(_owner!)),
            _ => await schedule.DeleteAsync(Actor.Chat(_owner!)),
        };
        return Reply(result.Message) with { ScheduleId = target };
    }
}
