namespace Missions.Chat;

/// <summary>
/// The fold of a conversation's lines: what the conversation must know without reading itself back — whose it is,
/// where the first answer to each client message id is, the missions and schedules it started (steering finds its
/// target here), and which schedule runs it has a notice of. Not the text: that stays in the store, so memory does
/// not grow with a long conversation's words.
/// </summary>
public sealed class ConversationState : IEventFold<ChatMessage>
{
    /// <summary>Where the first answer to each client message id is (its position). String keys hash with a
    /// per-process seed, so a list of ids chosen to collide does not slow the conversation.</summary>
    private readonly Dictionary<string, int> _answerAt = new(StringComparer.Ordinal);

    private readonly List<string> _missions = [];
    private readonly HashSet<string> _missionSet = new(StringComparer.Ordinal);
    private readonly List<string> _proposals = [];
    private readonly List<string> _schedules = [];

    /// <summary>Schedule runs the conversation has a notice of: kept for good, as a schedule may send a notice again
    /// long after (at every start, until it is written).</summary>
    private readonly HashSet<(string MissionId, int Attempt)> _scheduleNotices = [];

    /// <summary>Messages in the conversation; the last one's <see cref="ChatMessage.Seq"/>.</summary>
    public int Version { get; private set; }

    /// <summary>Whose conversation this is: its first line says (one begun before owners were recorded is the local
    /// owner's); a new conversation's first request sets it before its first line is written.</summary>
    public string? Owner { get; set; }

    /// <summary>The missions this conversation started (or joined), each once, oldest first.</summary>
    public IReadOnlyList<string> Missions => _missions;

    /// <summary>Of those missions, the ones proposed here (or joined as a proposal), oldest first.</summary>
    public IReadOnlyList<string> Proposals => _proposals;

    /// <summary>The schedules this conversation set, oldest first.</summary>
    public IReadOnlyList<string> Schedules => _schedules;

    /// <summary>True when "that" means a schedule: one was set after the last mission was asked for.</summary>
    public bool ThatIsASchedule => _lastScheduleAnswer > _lastMissionAnswer;

    /// <summary>Its title and whether it is archived.</summary>
    public ConversationHeading Heading { get; } = new();

    private int _lastMissionAnswer = -1;
    private int _lastScheduleAnswer = -1;

    public bool TryGetAnswer(string clientMessageId, out int position) => _answerAt.TryGetValue(clientMessageId, out position);

    public bool HasScheduleNotice(string missionId, int attempt) => _scheduleNotices.Contains((missionId, attempt));

    public void Apply(ChatMessage message)
    {
        var position = Version++;
        if (position == 0)
        {
            Owner = Owners.Of(message.Owner);
        }
        Heading.Apply(message);
        if (message.Role is ChatMessage.UserRole or ChatMessage.ConversationRole)
        {
            return;
        }
        if (message.ClientMessageId is { } clientId && (ChatResponse.IsMissionAnswer(message.ReplyType) || message.ReplyType is ChatResponse.Reply or ChatResponse.ScheduleCreated))
        {
            _answerAt.TryAdd(clientId, position);
        }
        if (message is { ReplyType: ChatResponse.ScheduleCreated, ScheduleId: { } scheduleId })
        {
            _lastScheduleAnswer = position;
            if (!_schedules.Contains(scheduleId))
            {
                _schedules.Add(scheduleId);
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
        }
        if (message is { ReplyType: ChatResponse.MissionUpdate, MissionId: { } ended, ScheduleId: not null })
        {
            _scheduleNotices.Add((ended, message.Attempt ?? 0));
        }
    }
}
