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
    IChatStore chatLog, IMissionStore missionLog, IntentClassifier classifier, LlmIntentReader intents, IOptions<ChatOptions> options, ILogger<ChatSessionGrain> logger)
    : Grain, IChatSessionGrain
{
    /// <summary>How long a posted outcome is remembered to drop a repeat. A mission sends one per ended attempt,
    /// one-way, so a repeat can only be a redelivery close behind the first — but one-way messages may arrive out of
    /// order, so "close" is a time, not a count. (Remembering the last 256 by count kept ~33 KB per busy session for
    /// good: 66 MB over 2,000 sessions.)</summary>
    private static readonly TimeSpan RememberOutcomesFor = TimeSpan.FromMinutes(2);

    /// <summary>At most this many outcomes are remembered at once, however many arrive within the time.</summary>
    private const int MaxRememberedOutcomes = 1_024;

    /// <summary>Messages in the conversation; the last one's <see cref="ChatMessage.Seq"/>.</summary>
    private int _count;

    /// <summary>Where the first answer to each client message id is (its position in the session). String keys hash
    /// with a per-process seed, so a list of ids chosen to collide does not slow the session.</summary>
    private readonly Dictionary<string, int> _answerAt = new(StringComparer.Ordinal);

    /// <summary>Positions of the answers that started (or joined) a mission, oldest first.</summary>
    private readonly List<int> _missionAnswers = [];

    private readonly HashSet<(string MissionId, int Attempt)> _outcomesPosted = [];
    private readonly Queue<((string MissionId, int Attempt) Key, DateTime NotedAt)> _outcomeOrder = new();

    /// <summary>The mission a repeat of each meaning (normalized objective and constraints) may reuse.</summary>
    private readonly RecentMeanings _meanings = new();

    /// <summary>Lines handed to the write loop and not yet written, in order; the last line of each append carries
    /// what its writer waits on.</summary>
    private readonly List<(ChatMessage Line, TaskCompletionSource? Written)> _unwritten = [];

    /// <summary>The write loop, while it runs.</summary>
    private Task _writing = Task.CompletedTask;

    private string SessionId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ChatMessage? previous = null;
        var started = new List<string>();
        var posted = new HashSet<(string, int)>();
        foreach (var message in await chatLog.ReadAsync(SessionId, 0, int.MaxValue))
        {
            Remember(message, replaying: true, replayedRequest: previous is { Role: ChatMessage.UserRole } ? previous : null);
            previous = message;
            if (message is { ReplyType: ChatResponse.MissionStarted, MissionId: { } missionId })
            {
                started.Add(missionId);
            }
            else if (message is { ReplyType: ChatResponse.MissionUpdate, MissionId: { } ended })
            {
                posted.Add((ended, message.Attempt ?? 0));
            }
        }
        ForgetStaleMeanings();
        await PostMissedOutcomesAsync(started, posted);
    }

    /// <summary>
    /// A mission's outcome reaches its chat even when its notice did not (the process went down between the end
    /// and the chat line, or the chat could not be written): the ends the log has and the conversation lacks are
    /// posted now, each once.
    /// </summary>
    private async Task PostMissedOutcomesAsync(List<string> started, HashSet<(string, int)> posted)
    {
        foreach (var missionId in started.Distinct())
        {
            var mission = MissionState.Fold(await missionLog.ReadEventsAsync(missionId));
            if (mission.Status.IsTerminal() && !posted.Contains((missionId, mission.Attempt)))
            {
                LogOutcomeRecovered(logger, SessionId, missionId);
                _ = PostMissionOutcomeAsync(ChatReplies.Outcome(missionId, mission.Status, mission.Attempt, mission.ExecutionResult, mission.Error));
            }
        }
    }

    public async Task<ChatResponse> SendAsync(ChatRequest request)
    {
        if (request.ClientMessageId is { } clientId && await AnswerToAsync(clientId) is { } earlier)
        {
            return earlier;
        }

        var now = DateTime.UtcNow;
        ForgetStaleMeanings();
        var intent = await intents.ClassifyAsync(request.Message);
        ChatResponse response;
        if (intent.Kind == IntentKind.Actionable
            && await ReuseAsync(MissionDraftBuilder.Build(SessionId, request.Message, intent, null), request.Message) is { } reused)
        {
            response = reused;
        }
        else if (intent.Kind == IntentKind.Actionable)
        {
            var draft = MissionDraftBuilder.Build(SessionId, request.Message, intent, request.ClientMessageId, request.Priority);
            var missionId = request.ClientMessageId is { } id ? Ids.MissionIdFor(SessionId, id) : Ids.NewMissionId();
            var created = await GrainFactory.Mission(missionId).CreateAsync(draft);
            response = new ChatResponse
            {
                Type = ChatResponse.MissionStarted,
                SessionId = SessionId,
                MissionId = missionId,
                Status = created.Status,
                Message = ChatReplies.Started(missionId, draft),
            };
            _meanings.Started(MeaningOf(draft), missionId);
            LogMissionStarted(logger, SessionId, missionId);
        }
        else if (intent.Kind == IntentKind.Command)
        {
            response = await SteerAsync(intent);
        }
        else
        {
            response = new ChatResponse { Type = ChatResponse.Reply, SessionId = SessionId, Message = ChatReplies.Talk(request.Message, intent) };
        }

        ChatMessage[] lines =
        [
            new() { SessionId = SessionId, Timestamp = now, Role = ChatMessage.UserRole, Text = request.Message, ClientMessageId = request.ClientMessageId, MissionId = response.MissionId },
            new()
            {
                SessionId = SessionId, Timestamp = DateTime.UtcNow, Role = ChatMessage.AssistantRole, Text = response.Message,
                ClientMessageId = request.ClientMessageId, MissionId = response.MissionId, ReplyType = response.Type, Status = response.Status,
            },
        ];
        await AppendAsync(lines);
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
                Type = ChatResponse.MissionStarted, SessionId = SessionId, MissionId = missionId, Status = view!.Status,
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

    /// <summary>The missions this session started, oldest first (read from the chat log: steering is rare).</summary>
    private async Task<List<string>> MissionsAsync()
    {
        var missions = new List<string>();
        foreach (var at in _missionAnswers)
        {
            if ((await MessageAtAsync(at)).MissionId is { } missionId && !missions.Contains(missionId))
            {
                missions.Add(missionId);
            }
        }
        return missions;
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
            Type = message.ReplyType!, SessionId = SessionId, Message = message.Text, MissionId = message.MissionId, Status = message.Status,
        };
    }

    private void ForgetStaleMeanings() =>
        _meanings.ForgetEndedBefore(DateTime.UtcNow - TimeSpan.FromSeconds(Math.Max(0, options.Value.FreshnessSeconds)));

    private async Task<ChatResponse> SteerAsync(Intent intent)
    {
        var missions = await MissionsAsync();
        if (intent.Command == SessionCommand.Status)
        {
            return new ChatResponse { Type = ChatResponse.Reply, SessionId = SessionId, Message = ChatReplies.Missions(await LatestCardsAsync(missions), missions.Count) };
        }

        string? target;
        if (intent.Target is null)
        {
            target = missions.LastOrDefault();
        }
        else
        {
            var matches = missions.Where(m => m.StartsWith(intent.Target, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count > 1)
            {
                return new ChatResponse { Type = ChatResponse.Reply, SessionId = SessionId, Message = ChatReplies.Ambiguous(intent.Target, matches.Count) };
            }
            target = matches.SingleOrDefault();
        }
        if (target is null)
        {
            return new ChatResponse
            {
                Type = ChatResponse.Reply, SessionId = SessionId,
                Message = ChatReplies.NoSuchMission(intent.Target),
            };
        }
        var mission = GrainFactory.Mission(target);
        var result = intent.Command == SessionCommand.Cancel ? await mission.CancelAsync() : await mission.RetryAsync();
        return new ChatResponse { Type = ChatResponse.Reply, SessionId = SessionId, Message = result.Message, MissionId = target, Status = result.Status };
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
        limit = Math.Clamp(limit, 1, ChatPage.MaxLimit);
        var count = _count;
        int from, to; // positions [from, to); message n (its Seq) is at position n - 1
        if (afterSeq is { } after)
        {
            from = Math.Clamp(after, 0, count);
            to = Math.Min(count, from + limit);
        }
        else
        {
            to = Math.Clamp((beforeSeq ?? count + 1) - 1, 0, count);
            from = Math.Max(0, to - limit);
        }
        return new ChatPage { Messages = await chatLog.ReadAsync(SessionId, from, to - from), HasEarlier = from > 0, HasLater = to < count };
    }

    /// <summary>Hands the notice to the write loop without waiting for it (see <see cref="WriteAsync"/>): the mission does
    /// not wait on the chat, and the notices that gather meanwhile are written together.</summary>
    public Task PostMissionOutcomeAsync(MissionOutcomeNotice notice)
    {
        if (!NoteOutcome(notice.MissionId, notice.Attempt))
        {
            return Task.CompletedTask; // a redelivery: posted already, written or on its way
        }
        _ = WriteOutcomeAsync(notice);
        return Task.CompletedTask;
    }

    /// <summary>Writes an outcome's line; if it cannot be written, the activation goes, and the next one posts it from the log.</summary>
    private async Task WriteOutcomeAsync(MissionOutcomeNotice notice)
    {
        try
        {
            await AppendAsync(
            [
                new ChatMessage
                {
                    SessionId = SessionId, Timestamp = DateTime.UtcNow, Role = ChatMessage.AssistantRole, Text = notice.Text,
                    MissionId = notice.MissionId, ReplyType = ChatResponse.MissionUpdate, Status = notice.Status, Attempt = notice.Attempt,
                },
            ]);
        }
        catch (Exception ex)
        {
            LogOutcomeLost(logger, ex, SessionId);
            _outcomesPosted.Remove((notice.MissionId, notice.Attempt));
            DeactivateOnIdle();
        }
    }

    /// <summary>Hands lines to the write loop, starting it if it is not running; completes once they are durable.</summary>
    private Task AppendAsync(IReadOnlyList<ChatMessage> lines)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < lines.Count; i++)
        {
            _unwritten.Add((lines[i], i == lines.Count - 1 ? written : null));
        }
        if (_writing.IsCompleted)
        {
            _writing = WriteAsync();
        }
        return written.Task;
    }

    /// <summary>
    /// The session's only writer: numbers what has gathered and writes it as one append, until nothing is left. It
    /// runs in the activation's turns between requests (never two at once), so the numbering, the order in the
    /// file and what <see cref="Remember"/> counts stay the same. A failed append fails the lines it held and
    /// numbers nothing; what gathered meanwhile is written next.
    /// </summary>
    private async Task WriteAsync()
    {
        while (_unwritten.Count > 0)
        {
            var batch = _unwritten.ToArray();
            _unwritten.Clear();
            var numbered = new ChatMessage[batch.Length];
            for (var i = 0; i < batch.Length; i++)
            {
                numbered[i] = batch[i].Line with { Seq = _count + i + 1 };
            }
            try
            {
                await chatLog.AppendAsync(numbered);
            }
            catch (Exception ex)
            {
                foreach (var (_, written) in batch)
                {
                    written?.TrySetException(ex);
                }
                continue;
            }
            foreach (var message in numbered)
            {
                Remember(message, replaying: false);
            }
            foreach (var (_, written) in batch)
            {
                written?.TrySetResult();
            }
        }
    }

    /// <summary>Lines handed over and not yet written go before the activation does.</summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writing.WaitAsync(cancellationToken);

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
        if (message.ClientMessageId is { } clientId && message.ReplyType is ChatResponse.MissionStarted or ChatResponse.Reply)
        {
            _answerAt.TryAdd(clientId, position);
        }
        if (message.ReplyType == ChatResponse.MissionStarted && message.MissionId is { } started)
        {
            _missionAnswers.Add(position);
            if (replayedRequest is { } asked && classifier.Classify(asked.Text) is { Kind: IntentKind.Actionable } intent)
            {
                _meanings.Started(MeaningOf(MissionDraftBuilder.Build(SessionId, asked.Text, intent, null)), started);
            }
        }
        if (message.ReplyType == ChatResponse.MissionUpdate && message.MissionId is { } missionId)
        {
            _meanings.Ended(missionId, message.Timestamp);
            if (replaying)
            {
                // Live, it was noted when it was handed over; noting it again as it lands would push out newer ones.
                NoteOutcome(missionId, message.Attempt ?? 0);
            }
        }
    }

    /// <summary>Notes an outcome as posted (when it is handed to the write loop, and when it is read back); false
    /// when it was already.</summary>
    private bool NoteOutcome(string missionId, int attempt)
    {
        if (!_outcomesPosted.Add((missionId, attempt)))
        {
            return false;
        }
        var now = DateTime.UtcNow;
        _outcomeOrder.Enqueue(((missionId, attempt), now));
        while (_outcomeOrder.Count > MaxRememberedOutcomes || now - _outcomeOrder.Peek().NotedAt > RememberOutcomesFor)
        {
            _outcomesPosted.Remove(_outcomeOrder.Dequeue().Key);
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: the outcome of mission {MissionId} was missing from the conversation; posted from the log")]
    private static partial void LogOutcomeRecovered(ILogger logger, string sessionId, string missionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: a mission's outcome could not be written into the conversation; it is posted again when the session is next activated")]
    private static partial void LogOutcomeLost(ILogger logger, Exception ex, string sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} started mission {MissionId}")]
    private static partial void LogMissionStarted(ILogger logger, string sessionId, string missionId);
}
