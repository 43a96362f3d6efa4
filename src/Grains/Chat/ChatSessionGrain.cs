using Microsoft.Extensions.Options;
using Missions.EventSourcing;
using Missions.Log;

namespace Missions.Chat;

/// <summary>
/// One conversation, event-sourced (<see cref="EventSourcedGrain{TState, TEvent}"/>) over its stream of the chat store:
/// every message is a line, its state their fold (<see cref="ConversationState"/>), so the conversation survives a
/// restart and a message sent again with the same client message id gets its first answer again.
/// Each message is classified; work becomes a mission (created and queued before the answer goes back), a schedule,
/// or a command (<see cref="MissionSteering"/>, <see cref="ScheduleSteering"/>); talk gets a reply. Missions'
/// outcomes come back as lines of their own, each once.
/// Its lines are written by one loop (<see cref="WriteAsync"/>) that writes whatever has gathered as one append:
/// outcome notices that arrive together are one write, and a burst of them does not hold the conversation — a
/// notice's turn only hands its line over.
/// An idle conversation goes after five minutes (not Orleans' fifteen): a burst of conversations would otherwise keep
/// each one's memory (its answers by client id, its steering targets) a quarter of an hour after its last word, and a
/// conversation comes back by reading its lines.
/// </summary>
[CollectionAgeLimit(Minutes = 5)]
public sealed partial class ChatSessionGrain(
    IChatStore store, AggregateReader aggregates, IntentClassifier classifier, LlmIntentReader intents, IOptions<ChatOptions> options,
    IOptions<Schedules.ScheduleOptions> scheduleOptions, ServerKey serverKey, ILogger<ChatSessionGrain> logger)
    : EventSourcedGrain<ConversationState, ChatMessage>(store), IChatSessionGrain
{
    /// <summary>The missions a repeat of a request may reuse.</summary>
    private readonly ReusableMissions _reusable = new();

    /// <summary>Outcomes handed over lately, to drop a redelivery.</summary>
    private readonly RecentOutcomes _outcomes = new();

    /// <summary>Lines handed to the write loop and not yet written, in order; the last line of each append carries
    /// what its writer waits on.</summary>
    private readonly List<(ChatMessage Line, TaskCompletionSource? Written)> _unwritten = [];

    /// <summary>The write loop, while it runs.</summary>
    private Task _writing = Task.CompletedTask;

    /// <summary>A write failed without saying whether it landed (the store was cut off mid-commit): the next write
    /// reads the conversation back first, so it neither writes at a stale version nor loses what did land.</summary>
    private bool _readBeforeWriting;

    protected override string Noun => "Conversation";

    private string SessionId => StreamId;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var lines = await LoadAsync();
        // The grain's own memory, from the same lines: the meanings a repeat may reuse, the outcomes already posted.
        ChatMessage? previous = null;
        var posted = new HashSet<(string, int)>();
        var rejectedHere = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in lines)
        {
            if (ChatResponse.IsMissionAnswer(message.ReplyType) && message.MissionId is { } started
                && previous is { Role: ChatMessage.UserRole } asked && classifier.Classify(asked.Text) is { Kind: IntentKind.Actionable } intent)
            {
                _reusable.Started(ReusableMissions.MeaningOf(MissionDraftBuilder.Build(SessionId, asked.Text, intent, null)), started);
            }
            else if (message is { ReplyType: ChatResponse.MissionUpdate, MissionId: { } ended })
            {
                _reusable.Ended(ended, message.Timestamp);
                _outcomes.Note(ended, message.Attempt ?? 0);
                posted.Add((ended, message.Attempt ?? 0));
            }
            else if (message is { ReplyType: ChatResponse.Reply, MissionId: { } decided, Status: MissionStatus.Cancelled })
            {
                rejectedHere.Add(decided); // a proposal rejected in this chat: its answer said so, no notice follows
            }
            previous = message;
        }
        ForgetStaleMeanings();
        await PostMissedOutcomesAsync(posted, rejectedHere);
    }

    public async Task<ChatResponse> SendAsync(ChatRequest request)
    {
        if (State.Owner is not null && State.Owner != request.Owner)
        {
            // The edge lets a person name only their own conversations; this is the grain's own guard.
            throw new UnauthorizedAccessException($"Conversation {SessionId} is not {request.Owner}'s.");
        }
        var owner = State.Owner ??= request.Owner;
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
            response = await Schedules().SetAsync(request, intent);
        }
        else if (intent.Kind == IntentKind.Actionable
            && await ReuseAsync(MissionDraftBuilder.Build(SessionId, request.Message, intent, null) with { Owner = owner }, request.Message) is { } reused)
        {
            response = reused;
        }
        else if (intent.Kind == IntentKind.Actionable)
        {
            response = await StartAsync(request, intent, owner);
        }
        else if (intent.Kind == IntentKind.Command)
        {
            response = await SteerAsync(intent, request.Message);
        }
        else
        {
            response = new ChatResponse { Type = ChatResponse.Reply, SessionId = SessionId, Message = ChatReplies.Talk(request.Message, intent) };
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

    /// <summary>A new mission (or a proposal) for the request; its id is derived from the client message id when there is one.</summary>
    private async Task<ChatResponse> StartAsync(ChatRequest request, Intent intent, string owner)
    {
        var approval = intent.Propose || options.Value.RequireApproval;
        var asked = intent.Propose ? IntentClassifier.WithoutProposal(request.Message) : request.Message;
        var draft = MissionDraftBuilder.Build(SessionId, asked, intent, request.ClientMessageId, request.Priority, approval) with { SourceMessage = request.Message, Owner = owner };
        var missionId = request.ClientMessageId is { } id ? Ids.MissionIdFor(serverKey.Key, SessionId, id) : Ids.NewMissionId();
        var created = await GrainFactory.Mission(missionId).CreateAsync(draft);
        var proposed = created.Status == MissionStatus.Proposed;
        _reusable.Started(ReusableMissions.MeaningOf(draft), missionId);
        LogMissionStarted(logger, SessionId, missionId);
        return new ChatResponse
        {
            Type = proposed ? ChatResponse.MissionProposed : ChatResponse.MissionStarted,
            SessionId = SessionId,
            MissionId = missionId,
            Status = created.Status,
            Message = proposed ? ChatReplies.Proposed(missionId, draft, TimeSpan.FromMinutes(options.Value.ProposalTtlMinutes)) : ChatReplies.Started(missionId, draft),
        };
    }

    /// <summary>
    /// De-duplication by meaning: a request whose objective and constraints match one this conversation already
    /// started joins that mission while it is queued or running, or is answered from its result when it
    /// completed within the freshness window. Null: start a new mission.
    /// </summary>
    private async Task<ChatResponse?> ReuseAsync(MissionDraft draft, string message)
    {
        var meaning = ReusableMissions.MeaningOf(draft);
        if (!_reusable.TryGet(meaning, out var missionId))
        {
            return null;
        }
        var decision = await GrainFactory.Mission(missionId)
            .ReuseAsync(SessionId, message, TimeSpan.FromSeconds(options.Value.FreshnessSeconds));
        var view = decision.View;
        if (decision.Kind == ReuseKind.Attached)
        {
            _reusable.Started(meaning, missionId);
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

    private Task<ChatResponse> SteerAsync(Intent intent, string message)
    {
        if (intent.Command is SessionCommand.Schedules or SessionCommand.Pause or SessionCommand.Resume or SessionCommand.DeleteSchedule)
        {
            return Schedules().SteerAsync(intent);
        }
        if (intent.Command == SessionCommand.Cancel && (intent.Target is { } named ? ScheduleIds.IsSchedule(named) : State.ThatIsASchedule))
        {
            return Schedules().SteerAsync(intent with { Command = SessionCommand.DeleteSchedule });
        }
        return new MissionSteering(SessionId, State, GrainFactory, aggregates).SteerAsync(intent, message);
    }

    private ScheduleSteering Schedules() => new(SessionId, State, GrainFactory, aggregates, scheduleOptions.Value, serverKey);

    /// <summary>The first answer to a client message id, or null when the id is new.</summary>
    private async ValueTask<ChatResponse?> AnswerToAsync(string clientId)
    {
        if (!State.TryGetAnswer(clientId, out var position))
        {
            return null;
        }
        var message = (await store.ReadAsync(SessionId, position, 1))[0];
        return new ChatResponse
        {
            Type = message.ReplyType!, SessionId = SessionId, Message = message.Text, MissionId = message.MissionId, Status = message.Status, ScheduleId = message.ScheduleId,
        };
    }

    private void ForgetStaleMeanings() =>
        _reusable.ForgetEndedBefore(DateTime.UtcNow - TimeSpan.FromSeconds(Math.Max(0, options.Value.FreshnessSeconds)));

    public async Task<ChatPage> GetMessagesAsync(int? beforeSeq, int? afterSeq, int limit)
    {
        var count = State.Version;
        if (count == 0)
        {
            DeactivateOnIdle(); // no conversation here (yet): keep nothing in memory for an id that may never be used
        }
        var (from, to) = ChatPage.Window(count, beforeSeq, afterSeq, limit);
        return new ChatPage { Messages = await store.ReadAsync(SessionId, from, to - from), HasEarlier = from > 0, HasLater = to < count };
    }

    /// <summary>
    /// A mission's outcome reaches its chat even when its notice did not (the process went down between the end
    /// and the chat line, or the chat could not be written): the ends the store has and the conversation lacks are
    /// posted now, each once.
    /// </summary>
    private async Task PostMissedOutcomesAsync(HashSet<(string, int)> posted, HashSet<string> rejectedHere)
    {
        foreach (var missionId in State.Missions)
        {
            var mission = await aggregates.MissionAsync(missionId);
            if (mission.Status.IsTerminal() && !posted.Contains((missionId, mission.Attempt))
                && !(rejectedHere.Contains(missionId) && mission.Attempt == 0))
            {
                LogOutcomeRecovered(logger, SessionId, missionId);
                _ = PostMissionOutcomeAsync(ChatReplies.Outcome(missionId, mission.Status, mission.Attempt, mission.ExecutionResult, mission.Error));
            }
        }
    }

    /// <summary>Hands the notice to the write loop without waiting for it (see <see cref="WriteAsync"/>): the mission does
    /// not wait on the chat, and the notices that gather meanwhile are written together.</summary>
    public Task PostMissionOutcomeAsync(MissionOutcomeNotice notice)
    {
        if (notice.ScheduleId is not null && State.HasScheduleNotice(notice.MissionId, notice.Attempt))
        {
            return Task.CompletedTask; // a schedule sends its last notice again at every start: this conversation has it
        }
        if (!_outcomes.Note(notice.MissionId, notice.Attempt))
        {
            return Task.CompletedTask; // a redelivery: posted already, written or on its way
        }
        _ = WriteOutcomeAsync(notice);
        return Task.CompletedTask;
    }

    /// <summary>Writes an outcome's line; if it cannot be written, the activation goes, and the next one posts it from the store.</summary>
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
                    ScheduleId = notice.ScheduleId,
                },
            ]);
        }
        catch (Exception ex)
        {
            LogOutcomeLost(logger, ex, SessionId);
            _outcomes.Forget(notice.MissionId, notice.Attempt);
            DeactivateOnIdle();
        }
    }

    public async Task<bool> ChangeAsync(ConversationChange change)
    {
        if (State.Version == 0)
        {
            return false; // nothing said in it yet: not a conversation of anyone's
        }
        var now = DateTime.UtcNow;
        var lines = new List<ChatMessage>(2);
        if (change.Title is { } title && title != State.Heading.Title)
        {
            lines.Add(new ChatMessage { SessionId = SessionId, Timestamp = now, Role = ChatMessage.ConversationRole, ReplyType = ChatMessage.Renamed, Text = title });
        }
        if (change.Archived is { } archived && archived != State.Heading.Archived)
        {
            lines.Add(new ChatMessage
            {
                SessionId = SessionId, Timestamp = now, Role = ChatMessage.ConversationRole,
                ReplyType = archived ? ChatMessage.Archived : ChatMessage.Restored, Text = archived ? "Archived." : "Restored.",
            });
        }
        if (change.ReadThrough is { } read && Math.Min(read, State.Heading.Lines) is var through && through > State.Heading.ReadThrough)
        {
            lines.Add(new ChatMessage
            {
                SessionId = SessionId, Timestamp = now, Role = ChatMessage.ConversationRole, ReplyType = ChatMessage.Read, ReadThrough = through,
                Text = $"Read through message {through}.",
            });
        }
        if (lines.Count > 0)
        {
            await AppendAsync(lines);
        }
        return true;
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
    /// The conversation's only writer: raises what has gathered as one append, until nothing is left. It runs in the
    /// activation's turns between requests (never two at once), so the numbering and the order in the store are the
    /// state's. A failed append fails the lines it held; what gathered meanwhile is written next.
    /// </summary>
    private async Task WriteAsync()
    {
        while (_unwritten.Count > 0)
        {
            var batch = _unwritten.ToArray();
            _unwritten.Clear();
            var lines = new ChatMessage[batch.Length];
            for (var i = 0; i < batch.Length; i++)
            {
                lines[i] = State.Version + i == 0 ? batch[i].Line with { Owner = State.Owner } : batch[i].Line;
            }
            Exception? failure = null;
            try
            {
                if (_readBeforeWriting)
                {
                    var owner = State.Owner;
                    await LoadAsync();
                    State.Owner ??= owner; // a new conversation's first line may not have landed: it is still its asker's
                    _readBeforeWriting = false;
                    for (var i = 0; i < lines.Length; i++)
                    {
                        lines[i] = batch[i].Line with { Owner = State.Version + i == 0 ? State.Owner : null };
                    }
                }
                if (!await TryRaiseAsync(lines))
                {
                    failure = Conflict();
                }
            }
            catch (Exception ex)
            {
                failure = ex;
                _readBeforeWriting = true;
            }
            foreach (var (_, written) in batch)
            {
                if (failure is null)
                {
                    written?.TrySetResult();
                }
                else
                {
                    written?.TrySetException(failure);
                }
            }
            if (failure is null)
            {
                foreach (var line in lines)
                {
                    if (line is { ReplyType: ChatResponse.MissionUpdate, MissionId: { } ended })
                    {
                        _reusable.Ended(ended, line.Timestamp);
                    }
                }
            }
        }
    }

    /// <summary>Lines handed over and not yet written go before the activation does.</summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _writing.WaitAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} started mission {MissionId}")]
    private static partial void LogMissionStarted(ILogger logger, string sessionId, string missionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: the outcome of mission {MissionId} was missing from the conversation; posted from the log")]
    private static partial void LogOutcomeRecovered(ILogger logger, string sessionId, string missionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: a mission's outcome could not be written into the conversation; it is posted again when the session is next activated")]
    private static partial void LogOutcomeLost(ILogger logger, Exception ex, string sessionId);
}
