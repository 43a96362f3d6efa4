using System.Text.Json;
using System.Threading.Channels;
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
public sealed partial class SignalLog : IHostedService, IAsyncDisposable
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
    private readonly MissionLog _missions;
    private readonly ILogger<SignalLog> _logger;
    private readonly Channel<(MissionEvent Event, long Offset)> _durable =
        Channel.CreateUnbounded<(MissionEvent, long)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>Who asked, what for, and when the current attempt started, for missions not ended yet (projector only).</summary>
    private readonly Dictionary<string, Context> _open = new(StringComparer.Ordinal);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _projecting;

    public SignalLog(IOptions<MissionsOptions> options, MissionLog missions, ILogger<SignalLog> logger)
    {
        _missions = missions;
        _logger = logger;
        // Only the file's end is read (nothing is indexed): where its last complete line ends.
        _file = JsonlFile.Open(options.Value.PathOf(LogFiles.LearningSignals), (_, _) => true, logger, resume: StartOfTail);
        // Listening first, then (in the projector, off the start's path) reading what the log holds: a line that
        // lands meanwhile is in one or the other, and the projector skips what the read covered.
        _missions.Durable += OnDurable;
        _projecting = Task.Run(ProjectAsync);
    }

    /// <summary>Why the last write failed, or null when it succeeded.</summary>
    public string? LastFailure => _file.Appender.LastFailure;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void OnDurable(MissionEvent e, LineRef line) => _durable.Writer.TryWrite((e, line.Offset));

    /// <summary>
    /// Writes the signals of the mission lines after the last one this file has a signal of (in batches as they are
    /// found: a rebuilt file is written as it is read); returns where the mission log's complete lines ended when it
    /// was read.
    /// </summary>
    private long CatchUp()
    {
        var (written, newest) = NewestSignals();
        // Signals are in the log's order: what is missing comes after the line the newest one came from.
        long from = 0;
        if (newest is not null)
        {
            if (SourceOf(newest) is not { } source)
            {
                LogSourceNotFound(_logger, newest.MissionId);
                return _missions.ScanFrom(0, (_, _) => true).CompleteLength; // another log's signals: nothing to add to them
            }
            from = source;
        }

        var missing = new List<LearningSignal>();
        var count = 0;
        var scan = _missions.ScanFrom(from, (line, _) =>
        {
            _stopping.Token.ThrowIfCancellationRequested();
            if (ParseOrNull(line) is not { } e)
            {
                return false; // a malformed line (counted when the mission log opened): no signal
            }
            missing.AddRange(Derive(e).Where(signal => !written.Contains(KeyOf(signal))));
            if (missing.Count >= MaxBatch * 16)
            {
                count += Write(missing);
            }
            return true;
        });
        count += Write(missing);
        if (count > 0)
        {
            LogCaughtUp(_logger, count, from);
        }
        return scan.CompleteLength;

        int Write(List<LearningSignal> signals)
        {
            for (var i = 0; i < signals.Count; i += MaxBatch)
            {
                var (payload, lines) = JsonlLines.Serialize(signals.GetRange(i, Math.Min(MaxBatch, signals.Count - i)), MissionsJson.Context.LearningSignal);
                _file.Appender.AppendAsync(payload, lines.Length).GetAwaiter().GetResult();
            }
            var written = signals.Count;
            signals.Clear();
            return written;
        }
    }

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

    private static MissionEvent? ParseOrNull(ReadOnlySpan<byte> line)
    {
        try
        {
            return MissionLogReader.ParseLine(line);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Where the line a signal came from starts in the mission log, or null when the log has no such line.</summary>
    private long? SourceOf(LearningSignal signal)
    {
        var lines = _missions.Index.LinesOf(signal.MissionId);
        var events = _missions.Reader.ReadEvents(lines);
        for (var i = 0; i < events.Count; i++)
        {
            if (SignalOf(events[i]) is { } derived && (derived.Type, events[i].MissionId, derived.Attempt) == KeyOf(signal))
            {
                return lines[i].Offset;
            }
        }
        return null;
    }

    /// <summary>
    /// The projector: first writes what the file lacks (see <see cref="CatchUp"/>), then derives the signals of each
    /// durable line in order and writes what has gathered.
    /// </summary>
    private async Task ProjectAsync()
    {
        var reader = _durable.Reader;
        var batch = new List<LearningSignal>(MaxBatch);
        try
        {
            long projectedTo;
            for (var wait = FirstWait; ; wait = Backoff.Longer(wait))
            {
                try
                {
                    projectedTo = CatchUp();
                    break;
                }
                catch (Exception ex) when (ex is IOException or LogWriteException)
                {
                    LogCatchUpFailed(_logger, ex); // tried again from what the file then holds
                }
                await Task.Delay(wait, _stopping.Token);
            }
            while (await reader.WaitToReadAsync())
            {
                while (batch.Count < MaxBatch && reader.TryRead(out var durable))
                {
                    if (durable.Offset >= projectedTo)
                    {
                        batch.AddRange(Derive(durable.Event));
                    }
                }
                if (batch.Count > 0)
                {
                    await WriteAsync(batch);
                    batch.Clear();
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
            _open[created.MissionId] = new Context(created.SessionId, created.Objective.Type);
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
        var state = MissionState.Fold(_missions.Reader.ReadEvents(line.MissionId).Where(e => e.Seq < line.Seq));
        context = new Context(state.SessionId, state.Objective?.Type) { StartedAt = state.Status == MissionStatus.Active ? state.StartTime : null };
        _open[line.MissionId] = context;
        return context;
    }

    private static (string Type, string MissionId, int Attempt) KeyOf(LearningSignal signal) =>
        (signal.SignalType, signal.MissionId, signal.Attempt ?? 0);

    private sealed class Context(string? sessionId, string? objectiveType)
    {
        public string? SessionId { get; } = sessionId;
        public string? ObjectiveType { get; } = objectiveType;
        public DateTime? StartedAt { get; set; }
    }

    /// <summary>Writes what the projector holds (for a few seconds at most), then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        _missions.Durable -= OnDurable;
        _durable.Writer.TryComplete();
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote {Count} learning signals of mission lines from offset {Offset} on that learning_signals.jsonl did not have yet")]
    private static partial void LogCaughtUp(ILogger logger, int count, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The newest learning signal (mission {MissionId}) has no line in the mission log: the signals are not this log's; none is added")]
    private static partial void LogSourceNotFound(ILogger logger, string missionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The learning signals missing from learning_signals.jsonl could not be written yet; trying again")]
    private static partial void LogCatchUpFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Learning signals stopped following the mission log until the next start")]
    private static partial void LogProjectorFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} learning signals could not be written yet; trying again")]
    private static partial void LogBehind(ILogger logger, Exception ex, int count);
}
