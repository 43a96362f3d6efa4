using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Missions.Signals;

namespace Missions.Log;

/// <summary>
/// <c>learning_signals.jsonl</c>: a projection of the mission log, written in its order. A <c>mission_created</c>
/// line gives a <c>mission_proposed</c> signal; a run's end (a terminal status, or a failed attempt scheduled for
/// retry) gives a <c>mission_executed</c> signal. The signals are derived off the missions' path, as their lines
/// become durable, and written in batches; a write that fails (a full disk) is tried again until it lands. At open,
/// the signals of lines the file does not have yet (the process stopped first) are written from the mission log:
/// every signal is written once, and deleting the file rebuilds it. It is a hosted service only to be opened as the
/// host starts; it drains when it is disposed, after the silo has stopped.
/// </summary>
public sealed partial class SignalLog : IWrittenLog, IHostedService, IAsyncDisposable
{
    /// <summary>How much of the file's end is read at open (about 20,000 signals): where its last line ends, and the
    /// signals whose keys are looked up so that none is written twice — signals written before they were a
    /// projection are in the order their missions wrote them, not quite the log's.</summary>
    private const int TailBytes = 4 << 20;

    private const int MaxBatch = 256;

    /// <summary>The wait before a failed write is tried again, doubling up to 10 s.</summary>
    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(250);

    private static readonly Func<Microsoft.Win32.SafeHandles.SafeFileHandle, long> StartOfTail = JsonlScanner.StartOfLastBytes(TailBytes);

    private readonly JsonlFile _file;
    private readonly MissionLogReader _missions;
    private readonly LogFeed<MissionEvent> _feed;
    private LogFeed<MissionEvent>.Cursor? _cursor;
    private readonly ILogger<SignalLog> _logger;

    /// <summary>Who asked, what for, and when the current attempt started, for missions not ended yet (projector only).</summary>
    private readonly Dictionary<string, Context> _open = new(StringComparer.Ordinal);

    /// <summary>The keys of the signals the file had at open (within its last <see cref="TailBytes"/>): none is written twice.</summary>
    private HashSet<(string, string, int)> _written = [];

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _following = new();
    private bool _closed;
    private readonly Task _projecting;

    public SignalLog(IOptions<MissionsOptions> options, MissionLogReader missions, LogFeed<MissionEvent> feed, ILogger<SignalLog> logger)
    {
        _missions = missions;
        _feed = feed;
        _logger = logger;
        // Only the file's end is read (nothing is indexed): where its last complete line ends.
        _file = JsonlFile.Open(options.Value.PathOf(LogFiles.LearningSignals), (_, _) => true, logger, resume: StartOfTail);
        _projecting = Task.Run(ProjectAsync);
    }

    /// <summary>Why the last write failed, or null when it succeeded.</summary>
    public string? LastFailure => _file.Appender.LastFailure;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The keys of the signals in the file's last <see cref="TailBytes"/>, and the newest one.</summary>
    private (HashSet<(string, string, int)> Keys, LearningSignal? Newest) NewestSignals()
    {
        var keys = new HashSet<(string, string, int)>();
        LearningSignal? newest = null;
        JsonlScanner.Scan(_file.ReadHandle, StartOfTail(_file.ReadHandle), (line, _) =>
        {
            try
            {
                if (JsonSerializer.Deserialize(line, MissionsJson.Context.LearningSignal) is { } signal)
                {
                    keys.Add(KeyOf(signal));
                    newest = signal;
                }
            }
            catch (JsonException)
            {
                // a malformed line: skipped, as at open
            }
            return true;
        });
        return (keys, newest);
    }

    /// <summary>Where the line a signal came from starts in the mission log, or null when the log has no such line.</summary>
    private long? SourceOf(LearningSignal signal)
    {
        var lines = _missions.Index.LinesOf(signal.MissionId);
        var events = _missions.ReadEvents(lines);
        for (var i = 0; i < events.Count; i++)
        {
            if (SignalOf(events[i]) is { } derived && (derived.Type, events[i].MissionId, derived.Attempt) == KeyOf(signal))
            {
                return lines[i].Offset;
            }
        }
        return null;
    }

    /// <summary>The projector: derives the signals of each line the feed gives, in order, and writes what has gathered.</summary>
    private async Task ProjectAsync()
    {
        var batch = new List<LearningSignal>(MaxBatch);
        var caughtUp = 0;
        try
        {
            var cursor = Follow();
            while (true)
            {
                var lines = await cursor.ReadAsync(MaxBatch, _stopping.Token);
                if (lines.Count == 0)
                {
                    break; // closed, and everything durable before is written
                }
                foreach (var line in lines)
                {
                    batch.AddRange(Derive(line.Value).Where(signal => !_written.Contains(KeyOf(signal))));
                }
                if (batch.Count > 0)
                {
                    await WriteAsync(batch);
                    caughtUp += cursor.Replaying ? batch.Count : 0;
                    batch.Clear();
                }
                if (caughtUp > 0 && !cursor.Replaying)
                {
                    LogCaughtUp(_logger, caughtUp);
                    caughtUp = 0;
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopped while a write kept failing: the next start writes what is missing from the mission log.
        }
        catch (Exception ex)
        {
            LogProjectorFailed(_logger, ex); // the next start writes what is missing from the mission log
        }
    }

    /// <summary>
    /// Follows the mission log from where this file's signals end: they are in the log's order, so what is missing
    /// comes after the line the newest one came from. Whatever lands meanwhile is in the log, and the feed reads it.
    /// </summary>
    private LogFeed<MissionEvent>.Cursor Follow()
    {
        (_written, var newest) = NewestSignals();
        var from = 0L;
        if (newest is not null)
        {
            if (SourceOf(newest) is { } source)
            {
                from = source;
            }
            else
            {
                LogSourceNotFound(_logger, newest.MissionId);
                from = _feed.End; // another log's signals: nothing to add to them
            }
        }
        lock (_following)
        {
            _cursor = _feed.Follow(from);
            if (_closed)
            {
                _cursor.Dispose(); // closing already: write what the log has now, then stop
            }
            return _cursor;
        }
    }

    /// <summary>Writes a batch, trying again (backing off up to 10 s) while the file cannot be written.</summary>
    private async Task WriteAsync(List<LearningSignal> batch)
    {
        for (var wait = FirstWait; ; wait = Backoff.Longer(wait))
        {
            try
            {
                var (payload, lines) = JsonlLines.Serialize(batch, MissionsJson.Context.LearningSignal);
                await _file.Appender.AppendAsync(payload, lines.Length);
                return;
            }
            catch (LogWriteException ex)
            {
                LogBehind(_logger, ex, batch.Count);
            }
            await Task.Delay(wait, _stopping.Token);
        }
    }

    /// <summary>Which signal a mission line gives, if any: its type, the status of the run it tells of, and its attempt.</summary>
    private static (string Type, MissionStatus? Status, int Attempt)? SignalOf(MissionEvent e) => e switch
    {
        MissionCreated => (LearningSignal.MissionProposed, null, 0),
        MissionStatusUpdated { Reason: MissionReasons.Approved } => (LearningSignal.MissionApproved, null, 0),
        MissionStatusUpdated { Reason: MissionReasons.Rejected or MissionReasons.ProposalExpired } => (LearningSignal.MissionRejected, null, 0),
        // A failed attempt scheduled for retry: the line carries the next attempt's number.
        MissionStatusUpdated { Reason: MissionReasons.RetryScheduled } retry => (LearningSignal.MissionExecuted, MissionStatus.Failed, retry.Attempt - 1),
        MissionStatusUpdated ended when ended.Status.IsTerminal() => (LearningSignal.MissionExecuted, ended.Status, ended.Attempt),
        _ => null,
    };

    /// <summary>The signals one mission line gives, keeping what a later line of the same mission needs.</summary>
    private IEnumerable<LearningSignal> Derive(MissionEvent e)
    {
        if (e is MissionCreated created)
        {
            _open[created.MissionId] = new Context(created.SessionId, created.Objective.Type) { CreatedAt = created.Timestamp };
        }
        else if (e is MissionStatusUpdated { Status: MissionStatus.Active } started)
        {
            ContextOf(started).StartedAt = started.Timestamp;
        }
        if (SignalOf(e) is not { } signal)
        {
            yield break;
        }
        var context = ContextOf(e);
        yield return new LearningSignal
        {
            SignalType = signal.Type, MissionId = e.MissionId, Timestamp = e.Timestamp,
            SessionId = context.SessionId, ObjectiveType = context.ObjectiveType,
            Status = signal.Status, Success = signal.Status is null ? null : signal.Status == MissionStatus.Completed,
            Attempt = signal.Status is null ? null : signal.Attempt,
            DurationMs = signal.Status is null ? null
                : context.StartedAt is { } at ? Math.Max(0, (long)(e.Timestamp - at).TotalMilliseconds) : 0,
            ToolsUsed = signal.Status is null ? null : (e as MissionStatusUpdated)?.ExecutionResult?.ToolsUsed ?? [],
            WaitedMs = signal.Type is LearningSignal.MissionApproved or LearningSignal.MissionRejected && context.CreatedAt is { } asked
                ? Math.Max(0, (long)(e.Timestamp - asked).TotalMilliseconds) : null,
            DecidedVia = signal.Type switch
            {
                LearningSignal.MissionRejected when e is MissionStatusUpdated { Reason: MissionReasons.ProposalExpired } => "expired",
                LearningSignal.MissionApproved or LearningSignal.MissionRejected => (e as MissionStatusUpdated)?.DecidedVia,
                _ => null,
            },
        };
        if (e is MissionStatusUpdated ended && ended.Status.IsTerminal())
        {
            _open.Remove(e.MissionId);
        }
    }

    /// <summary>
    /// What the projector knows of a mission before <paramref name="line"/>; for a mission it has not seen created
    /// (created before the lines it read), folded from the mission's lines before that one.
    /// </summary>
    private Context ContextOf(MissionEvent line)
    {
        if (_open.TryGetValue(line.MissionId, out var context))
        {
            return context;
        }
        var state = MissionState.Fold(_missions.ReadEvents(line.MissionId).Where(e => e.Seq < line.Seq));
        context = new Context(state.SessionId, state.Objective?.Type) { StartedAt = state.Status == MissionStatus.Active ? state.StartTime : null, CreatedAt = state.CreatedAt };
        _open[line.MissionId] = context;
        return context;
    }

    private static (string Type, string MissionId, int Attempt) KeyOf(LearningSignal signal) =>
        (signal.SignalType, signal.MissionId, signal.Attempt ?? 0);

    private sealed class Context(string? sessionId, string? objectiveType)
    {
        public DateTime? CreatedAt { get; set; }

        public string? SessionId { get; } = sessionId;
        public string? ObjectiveType { get; } = objectiveType;
        public DateTime? StartedAt { get; set; }
    }

    /// <summary>Writes what the projector holds (for a few seconds at most), then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_following)
        {
            _closed = true;
            _cursor?.Dispose();
        }
        try
        {
            await _projecting.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync();
            await _projecting;
        }
        _stopping.Dispose();
        await _file.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote {Count} learning signals of mission lines that learning_signals.jsonl did not have yet")]
    private static partial void LogCaughtUp(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The newest learning signal (mission {MissionId}) has no line in the mission log: the signals are not this log's; none is added")]
    private static partial void LogSourceNotFound(ILogger logger, string missionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Learning signals stopped following the mission log until the next start")]
    private static partial void LogProjectorFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} learning signals could not be written yet; trying again")]
    private static partial void LogBehind(ILogger logger, Exception ex, int count);
}
