using Microsoft.Extensions.Options;
using Missions.Log;

namespace Missions.Chat;

/// <summary>
/// One conversation. Classifies each message; work becomes a mission (created and queued before the answer goes
/// back), talk gets a reply. Every message is a line of <c>chat_sessions.jsonl</c>, so the conversation survives
/// a restart, and a message sent again with the same client message id gets its first answer again.
/// The messages stay in the file: the grain keeps where each answer and each started mission is, and the meanings
/// a repeat may still reuse, so its memory does not grow with the text of a long conversation.
/// Its lines are written by one loop (<see cref="WriteAsync"/>) that numbers them and writes whatever has gathered
/// as one append: outcome notices that arrive together are one write, and a burst of them does not hold the
/// conversation — a notice's turn only hands its line over.
/// </summary>
public sealed partial class ChatSessionGrain(
    IChatStore chatLog, IMissionStore missionLog, IntentClassifier classifier, LlmIntentReader intents, IOptions<ChatOptions> options,
    IOptions<Schedules.ScheduleOptions> scheduleOptions, ServerKey serverKey, ILogger<ChatSessionGrain> logger)
    : Grain, IChatSessionGrain
{
    /// <summary>Messages in the conversation; the last one's <see cref="ChatMessage.Seq"/>.</summary>
    private int _count;

    /// <summary>Where the first answer to each client message id is (its position in the session). String keys hash
    /// with a per-process seed, so a list of ids chosen to collide does not slow the session.</summary>
    private readonly Dictionary<string, int> _answerAt = new(StringComparer.Ordinal);

    /// <summary>The missions this conversation started (or joined), each once, oldest first, and the position of the
    /// answer that last named each: steering finds its target here, not by reading the conversation back.</summary>
    private readonly List<string> _missions = [];
    private readonly HashSet<string> _missionSet = new(StringComparer.Ordinal);

    /// <summary>Position of the last answer that started or joined a mission (-1: none).</summary>
    private int _lastMissionAnswer = -1;

    /// <summary>Of those missions, the ones proposed here (or joined as a proposal), oldest first.</summary>
    private readonly List<string> _proposals = [];

    /// <summary>Whose conversation this is: its first line says (a conversation begun before owners were recorded is the local owner's).</summary>
    private string? _owner;

    /// <summary>The mission a repeat of each meaning (normalized objective and constraints) may reuse.</summary>
    private readonly RecentMeanings _meanings = new();

    private string SessionId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ChatMessage? previous = null;
        var started = new List<string>();
        var posted = new HashSet<(string, int)>();
        var rejectedHere = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in await chatLog.ReadAsync(SessionId, 0, int.MaxValue))
        {
            _owner ??= Owners.Of(message.Owner);
            Remember(message, replaying: true, replayedRequest: previous is { Role: ChatMessage.UserRole } ? previous : null);
            previous = message;
            if (ChatResponse.IsMissionAnswer(message.ReplyType) && message.MissionId is { } missionId)
            {
                started.Add(missionId);
            }
            else if (message is { ReplyType: ChatResponse.MissionUpdate, MissionId: { } ended })
            {
                posted.Add((ended, message.Attempt ?? 0));
            }
            else if (message is { ReplyType: ChatResponse.Reply, MissionId: { } decided, Status: MissionStatus.Cancelled })
            {
                rejectedHere.Add(decided); // a proposal rejected in this chat: its answer said so, no notice follows
            }
        }
        ForgetStaleMeanings();
        await PostMissedOutcomesAsync(started, posted, rejectedHere);
    }

    public async Task<ChatResponse> SendAsync(ChatRequest request)
    {
        if (_owner is not null && _owner != request.Owner)
        {
            // The edge lets a person name only their own conversations; this is the grain's own guard.
            throw new UnauthorizedAccessException($"Conversation {SessionId} is not {request.Owner}'s.");
        }
        _owner ??= request.Owner;
        if (request.ClientMessageId is { } clientId && await AnswerToAsync(clientId) is { } earlier)
        {
            return earlier;
        }

        var now = DateTime.UtcNow;
        ForgetStaleMeanings();
        var intent = await intents.ClassifyAsync(request.Message);
        ChatResponse response;
        if (intent.Kind == IntentKind.Actionable && (intent.Schedule is not null || intent.ScheduleError is not null))
        {
            response = await ScheduleAsync(request, intent);
        }
        else if (intent.Kind == IntentKind.Actionable
            && await ReuseAsync(MissionDraftBuilder.Build(SessionId, request.Message, intent, null) with { Owner = _owner }, request.Message) is { } reused)
        {
            response = reused;
        }
        else if (intent.Kind == IntentKind.Actionable)
        {
            var approval = intent.Propose || options.Value.RequireApproval;
            var asked = intent.Propose ? IntentClassifier.WithoutProposal(request.Message) : request.Message;
            var draft = MissionDraftBuilder.Build(SessionId, asked, intent, request.ClientMessageId, request.Priority, approval) with { SourceMessage = request.Message, Owner = _owner };
            var missionId = request.ClientMessageId is { } id ? Ids.MissionIdFor(serverKey.Key, SessionId, id) : Ids.NewMissionId();
            var created = await GrainFactory.Mission(missionId).CreateAsync(draft);
            var proposed = created.Status == MissionStatus.Proposed;
            response = new ChatResponse
            {
                Type = proposed ? ChatResponse.MissionProposed : ChatResponse.MissionStarted,
                SessionId = SessionId,
                MissionId = missionId,
                Status = created.Status,
                Message = proposed ? ChatReplies.Proposed(missionId, draft, TimeSpan.FromMinutes(options.Value.ProposalTtlMinutes)) : ChatReplies.Started(missionId, draft),
            };
            _meanings.Started(MeaningOf(draft), missionId);
            LogMissionStarted(logger, SessionId, missionId);
        }
        else if (intent.Kind == IntentKind.Command)
        {
            response = await SteerAsync(intent, request.Message);
        }
        else
        {
            response = Reply(ChatReplies.Talk(request.Message, intent));
        }

        ChatMessage[] lines =
        [
            new() { SessionId = SessionId, Timestamp = now, Role = ChatMessage.UserRole, Text = request.Message, ClientMessageId = request.ClientMessageId, MissionId = response.MissionId, ScheduleId = response.ScheduleId },
            new()
            {
                SessionId = SessionId, Timestamp = DateTime.UtcNow, Role = ChatMessage.AssistantRole, Text = response.Message,
                ClientMessageId = request.ClientMessageId, MissionId = response.MissionId, ReplyType = response.Type, Status = response.Status, ScheduleId = response.ScheduleId,
            },
        ];
        try
        {
            await AppendAsync(lines);
        }
        catch (LogWriteException ex) when (response.MissionId is { } kept && response.Type != ChatResponse.Reply)
        {
            // The mission was made (or joined) before the conversation could be written: say so, not "nothing was kept".
            throw new LogWriteException(ex.Message, ex)
            {
                Kept = $"Mission {kept} was {(response.Type == ChatResponse.MissionProposed ? "proposed" : "created")} before this failed and is on the whiteboard; " +
                       "its answer comes into this chat once the conversation can be written again. Sending the same message with the same client_message_id finds it instead of starting another.",
            };
        }
        catch (LogWriteException ex) when (response.ScheduleId is { } schedule && response.Type == ChatResponse.ScheduleCreated)
        {
            throw new LogWriteException(ex.Message, ex)
            {
                Kept = $"Schedule {schedule} was set before this failed and is in the schedules list; stop it there if you did not want it.",
            };
        }
        return response;
    }

    /// <summary>
    /// De-duplication by meaning: a request whose objective and constraints match one this session already
    /// started joins that mission while it is queued or running, or is answered from its result when it
    /// completed within the freshness window. Null: start a new mission.
    /// </summary>
    private async Task<ChatResponse?> ReuseAsync(MissionDraft draft, string message)
    {
        var meaning = MeaningOf(draft);
        if (!_meanings.TryGet(meaning, out var missionId))
        {
            return null;
        }
        var decision = await GrainFactory.Mission(missionId)
            .ReuseAsync(SessionId, message, TimeSpan.FromSeconds(options.Value.FreshnessSeconds));
        var view = decision.View;
        if (decision.Kind == ReuseKind.Attached)
        {
            _meanings.Started(meaning, missionId);
        }
        return decision.Kind switch
        {
            ReuseKind.Attached => new ChatResponse
            {
                Type = view!.Status == MissionStatus.Proposed ? ChatResponse.MissionProposed : ChatResponse.MissionStarted,
                SessionId = SessionId, MissionId = missionId, Status = view.Status,
                Message = ChatReplies.Joined(missionId, view),
            },
            ReuseKind.CacheHit => new ChatResponse
            {
                Type = ChatResponse.Reply, SessionId = SessionId, MissionId = missionId, Status = view!.Status,
                Message = ChatReplies.FromCache(missionId, view),
            },
            _ => null,
        };
    }

    /// <summary>What makes two requests the same: objective type and words (case and spacing aside) and constraints.</summary>
    private static string MeaningOf(MissionDraft draft)
    {
        var words = string.Join(' ', draft.Objective.Description.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.', '!', '?', ' ');
        var c = draft.Constraints;
        return $"{draft.Objective.Type}|{words}|{string.Join(',', c.AllowedDomains.Order(StringComparer.Ordinal))}|{c.MaxPages}|{c.MaxDurationSeconds}";
    }

    private async ValueTask<ChatMessage> MessageAtAsync(int position) => (await chatLog.ReadAsync(SessionId, position, 1))[0];

    /// <summary>The first answer to a client message id, or null when the id is new.</summary>
    private async ValueTask<ChatResponse?> AnswerToAsync(string clientId)
    {
        if (!_answerAt.TryGetValue(clientId, out var position))
        {
            return null;
        }
        var message = await MessageAtAsync(position);
        return new ChatResponse
        {
            Type = message.ReplyType!, SessionId = SessionId, Message = message.Text, MissionId = message.MissionId, Status = message.Status, ScheduleId = message.ScheduleId,
        };
    }

    private void ForgetStaleMeanings() =>
        _meanings.ForgetEndedBefore(DateTime.UtcNow - TimeSpan.FromSeconds(Math.Max(0, options.Value.FreshnessSeconds)));

    private async Task<ChatResponse> SteerAsync(Intent intent, string message)
    {
        if (intent.Command is SessionCommand.Schedules or SessionCommand.Pause or SessionCommand.Resume or SessionCommand.DeleteSchedule
            || (intent.Command == SessionCommand.Cancel && (intent.Target is { } named ? ScheduleIds.IsSchedule(named) : ThatIsASchedule)))
        {
            return await SteerScheduleAsync(intent.Command == SessionCommand.Cancel ? intent with { Command = SessionCommand.DeleteSchedule } : intent);
        }
        var missions = _missions;
        if (intent.Command == SessionCommand.Status)
        {
            return Reply(ChatReplies.Missions(await LatestCardsAsync(missions), missions.Count));
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
            target = missions.LastOrDefault();
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
        var mission = GrainFactory.Mission(target);
        MissionRevision? revision = null;
        if (intent.Command == SessionCommand.Revise && (revision = MissionDraftBuilder.RevisionIn(message, intent)).ChangesNothing)
        {
            return Reply(ChatReplies.NothingToRevise);
        }
        var result = intent.Command switch
        {
            SessionCommand.Cancel => await mission.CancelAsync(Actor.Chat(_owner!)),
            SessionCommand.Approve => await mission.ApproveAsync(Actor.Chat(_owner!)),
            SessionCommand.Reject => await mission.RejectAsync(Actor.Chat(_owner!)),
            SessionCommand.Revise => await mission.ReviseAsync(revision!),
            _ => await mission.RetryAsync(Actor.Chat(_owner!)),
        };
        return Reply(result.Message) with { MissionId = target, Status = result.Status };
    }

    private ChatResponse Reply(string text) => new() { Type = ChatResponse.Reply, SessionId = SessionId, Message = text };

    /// <summary>
    /// The session's newest proposal still waiting for approval (its state read from the log), or null. Only the
    /// missions this chat proposed are asked after — not every mission of a long conversation.
    /// </summary>
    private async Task<string?> LatestProposalAsync()
    {
        foreach (var missionId in _proposals.AsEnumerable().Reverse())
        {
            if (MissionState.Fold(await missionLog.ReadEventsAsync(missionId)) is { Status: MissionStatus.Proposed, Exists: true })
            {
                return missionId;
            }
        }
        return null;
    }

    /// <summary>The cards of the session's latest missions, oldest first. Read from the log, not the grains: asking a
    /// mission grain would activate every ended mission a person lists, and keep it in memory.</summary>
    private async Task<List<MissionSummary>> LatestCardsAsync(List<string> missions)
    {
        var cards = new List<MissionSummary>();
        foreach (var missionId in missions.TakeLast(ChatReplies.MissionsShown))
        {
            if (await missionLog.ReadEventsAsync(missionId) is { Count: > 0 } events)
            {
                cards.Add(MissionSummary.From(MissionState.Fold(events)));
            }
        }
        return cards;
    }

    public async Task<ChatPage> GetMessagesAsync(int? beforeSeq, int? afterSeq, int limit)
    {
        var count = _count;
        if (count == 0)
        {
            DeactivateOnIdle(); // no conversation here (yet): keep nothing in memory for an id that may never be used
        }
        var (from, to) = ChatPage.Window(count, beforeSeq, afterSeq, limit);
        return new ChatPage { Messages = await chatLog.ReadAsync(SessionId, from, to - from), HasEarlier = from > 0, HasLater = to < count };
    }

    /// <param name="replaying">Read back from the log at activation, not just written by this activation.</param>
    /// <param name="replayedRequest">Read back from the log at activation: the user message just before this one. The
    /// meaning of a request that started a mission is worked out again from it (live, it was registered when the
    /// request came).</param>
    private void Remember(ChatMessage message, bool replaying, ChatMessage? replayedRequest = null)
    {
        var position = _count++;
        if (message.Role == ChatMessage.UserRole)
        {
            return;
        }
        if (message.ClientMessageId is { } clientId && (ChatResponse.IsMissionAnswer(message.ReplyType) || message.ReplyType is ChatResponse.Reply or ChatResponse.ScheduleCreated))
        {
            _answerAt.TryAdd(clientId, position);
        }
        if (message.ReplyType == ChatResponse.ScheduleCreated && message.ScheduleId is not null)
        {
            _lastScheduleAnswer = position;
            if (!_schedules.Contains(message.ScheduleId))
            {
                _schedules.Add(message.ScheduleId);
            }
        }
        if (ChatResponse.IsMissionAnswer(message.ReplyType) && message.MissionId is { } started)
        {
            _lastMissionAnswer = position;
            if (_missionSet.Add(started))
            {
                _missions.Add(started);
                if (message.ReplyType == ChatResponse.MissionProposed)
                {
                    _proposals.Add(started);
                }
            }
            if (replayedRequest is { } asked && classifier.Classify(asked.Text) is { Kind: IntentKind.Actionable } intent)
            {
                _meanings.Started(MeaningOf(MissionDraftBuilder.Build(SessionId, asked.Text, intent, null)), started);
            }
        }
        if (message.ReplyType == ChatResponse.MissionUpdate && message.MissionId is { } missionId)
        {
            if (message.ScheduleId is not null)
            {
                _scheduleNotices.Add((missionId, message.Attempt ?? 0));
            }
            _meanings.Ended(missionId, message.Timestamp);
            if (replaying)
            {
                // Live, it was noted when it was handed over; noting it again as it lands would push out newer ones.
                NoteOutcome(missionId, message.Attempt ?? 0);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} started mission {MissionId}")]
    private static partial void LogMissionStarted(ILogger logger, string sessionId, string missionId);
}
