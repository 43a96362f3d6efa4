
namespace Missions.Chat;

/// <summary>
/// A session's writing: the one loop that numbers and appends its lines, and missions' outcomes — posted as they
/// come, each once, and recovered from the mission log at activation when a notice never arrived.
/// </summary>
public sealed partial class ChatSessionGrain
{
    /// <summary>How long a posted outcome is remembered to drop a repeat. A mission sends one per ended attempt,
    /// one-way, so a repeat can only be a redelivery close behind the first — but one-way messages may arrive out of
    /// order, so "close" is a time, not a count (a count would keep a busy conversation's last few hundred for good).</summary>
    private static readonly TimeSpan RememberOutcomesFor = TimeSpan.FromMinutes(2);

    /// <summary>At most this many outcomes are remembered at once, however many arrive within the time.</summary>
    private const int MaxRememberedOutcomes = 1_024;

    private readonly HashSet<(string MissionId, int Attempt)> _outcomesPosted = [];

    /// <summary>The schedule runs this conversation has a notice of (from its lines): kept for good, as a schedule may
    /// send a notice again long after (at every start, until it is written).</summary>
    private readonly HashSet<(string MissionId, int Attempt)> _scheduleNotices = [];

    private readonly Queue<((string MissionId, int Attempt) Key, DateTime NotedAt)> _outcomeOrder = new();

    /// <summary>Lines handed to the write loop and not yet written, in order; the last line of each append carries
    /// what its writer waits on.</summary>
    private readonly List<(ChatMessage Line, TaskCompletionSource? Written)> _unwritten = [];

    /// <summary>The write loop, while it runs.</summary>
    private Task _writing = Task.CompletedTask;

    /// <summary>
    /// A mission's outcome reaches its chat even when its notice did not (the process went down between the end
    /// and the chat line, or the chat could not be written): the ends the log has and the conversation lacks are
    /// posted now, each once.
    /// </summary>
    private async Task PostMissedOutcomesAsync(List<string> started, HashSet<(string, int)> posted, HashSet<string> rejectedHere)
    {
        foreach (var missionId in started.Distinct())
        {
            var mission = MissionState.Fold(await missionLog.ReadEventsAsync(missionId));
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
        if (notice.ScheduleId is not null && _scheduleNotices.Contains((notice.MissionId, notice.Attempt)))
        {
            return Task.CompletedTask; // a schedule sends its last notice again at every start: this conversation has it
        }
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
                    ScheduleId = notice.ScheduleId,
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
                numbered[i] = batch[i].Line with { Seq = _count + i + 1, Owner = _count + i == 0 ? _owner : null };
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
}
