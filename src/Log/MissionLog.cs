using Microsoft.Extensions.Options;

namespace Missions.Log;

/// <summary>
/// <c>missions.jsonl</c> in this process: the source of truth for every mission. Appends are version-checked
/// (a mission's events go on only after the version the writer last saw) and durable before they return;
/// the index is updated and the lines published on its <see cref="Feed"/> in file order as each batch lands.
/// </summary>
public sealed partial class MissionLog : IMissionStore, IWrittenLog, IAsyncDisposable
{
    private readonly JsonlFile _file;
    private readonly MissionAppend.InFlight _appending = new();
    private readonly string _checkpointPath;
    private readonly Lock _checkpointing = new();
    private readonly ILogger<MissionLog> _logger;
    private readonly DataDirectoryLock _lock;

    /// <summary>The index's <c>Add</c>, made a delegate once (not at every append).</summary>
    private readonly Action<MissionEvent, LineRef> _indexLine;

    public MissionLog(IOptions<MissionsOptions> options, ILogger<MissionLog> logger, IOptions<RetentionOptions>? retention = null)
    {
        _logger = logger;
        // The mission log is the source of truth: its writer holds the directory for every log of this process.
        var directory = Path.GetDirectoryName(options.Value.PathOf(LogFiles.Missions))!;
        _lock = DataDirectoryLock.Acquire(directory);
        // Ended missions past their retention leave for the archive before anything reads the log (see MissionArchive).
        try
        {
            var now = DateTime.UtcNow;
            DateTime? Before(double? days) => days is { } d ? now - TimeSpan.FromDays(d) : null;
            MissionArchive.Compact(directory, Before(retention?.Value.EndedMissionDays), Before(retention?.Value.IdleConversationDays), logger);
        }
        catch
        {
            _lock.Dispose();
            throw;
        }
        Index = new MissionIndex();
        _indexLine = Index.Add;
        _checkpointPath = options.Value.PathOf(LogFiles.MissionsIndex);
        // From the index's checkpoint when it still matches the log; the lines after it are read as usual.
        _file = JsonlFile.Open(options.Value.PathOf(LogFiles.Missions), MissionLogReader.FactIndexer(Index), logger,
            log => MissionIndexSnapshot.TryLoad(_checkpointPath, Index, log));
        // Reads go through the file's own read handle: one handle per file in this process.
        Reader = new MissionLogReader(_file.ReadHandle, Index, ownsFile: false);
        Feed = new LogFeed<MissionEvent>(_file.ReadHandle, MissionLogReader.ParseOrNull, _file.Opened.CompleteLength);
    }

    /// <summary>The log's durable lines, in file order, from any position.</summary>
    public LogFeed<MissionEvent> Feed { get; }

    public MissionIndex Index { get; }
    public MissionLogReader Reader { get; }
    public ScanResult Opened => _file.Opened;
    public AppenderStats Stats => _file.Appender.Stats;

    /// <summary>Why the last write failed, or null when it succeeded.</summary>
    public string? LastFailure => _file.Appender.LastFailure;

    public async Task<bool> AppendAsync(string streamId, IReadOnlyList<MissionEvent> events, int expectedVersion)
    {
        if (events.Count == 0)
        {
            return true;
        }
        if (!_appending.TryEnter(streamId, () => Index.VersionOf(streamId) == expectedVersion))
        {
            return false;
        }
        try
        {
            var numbered = MissionAppend.Number(streamId, events, expectedVersion);
            var (payload, lines) = JsonlLines.Serialize(numbered, MissionsJson.Context.MissionEvent);
            await _file.AppendAsync(numbered, payload, lines, _indexLine, Feed);
            return true;
        }
        finally
        {
            _appending.Exit(streamId);
        }
    }

    public ValueTask<IReadOnlyList<MissionEvent>> ReadStreamAsync(string streamId) => ValueTask.FromResult(Reader.ReadEvents(streamId));

    public ValueTask<IReadOnlyList<(string MissionId, MissionPriority Priority)>> UnfinishedAsync(DateTime dueBy) =>
        ValueTask.FromResult(Index.UnfinishedWithPriority(dueBy));

    public ValueTask<IReadOnlyList<string>> ActiveAsync() => ValueTask.FromResult(Index.Active());

    public ValueTask<IReadOnlyList<string>> ProposedAsync() => ValueTask.FromResult(Index.Proposed());

    public ValueTask<IReadOnlyList<string>> SchedulesAsync() => ValueTask.FromResult(Index.Schedules());

    /// <summary>
    /// Appends lines another store already numbered and serialized (a mirror of it): each must be its mission's next
    /// (<c>seq</c> one past what the log has), or nothing is written and <see cref="InvalidDataException"/> says why.
    /// </summary>
    public Task AppendMirroredAsync(IReadOnlyList<MissionEvent> events, IReadOnlyList<byte[]> lines)
    {
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }
        var next = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var version = next.TryGetValue(e.MissionId, out var seen) ? seen : Index.VersionOf(e.MissionId);
            if (e.Seq != version + 1)
            {
                throw new InvalidDataException($"Mission {e.MissionId}: line {e.Seq} does not follow line {version} of the mirror.");
            }
            next[e.MissionId] = e.Seq;
        }
        var (payload, starts) = JsonlLines.Join(lines);
        return _file.AppendAsync(events, payload, JoinedLines.Of(starts, lines), _indexLine, Feed);
    }

    /// <summary>Writes the index's checkpoint (<c>missions.index</c>), so the next start reads only what comes after.</summary>
    public bool Checkpoint()
    {
        lock (_checkpointing)
        {
            try
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                MissionIndexSnapshot.Write(_checkpointPath, Index, _file.ReadHandle);
                LogCheckpoint(_logger, Index.Count, clock.ElapsedMilliseconds);
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogCheckpointFailed(_logger, ex); // only start-up time is lost: the log is whole
                return false;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _file.Appender.DisposeAsync(); // every acknowledged line is in, nothing more comes
        if (Index.LinesSinceCapture > 0)
        {
            Checkpoint();
        }
        await _file.DisposeAsync();
        Reader.Dispose();
        _lock.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkpointed the mission index ({Missions} missions) in {ElapsedMs} ms")]
    private static partial void LogCheckpoint(ILogger logger, int missions, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The mission index's checkpoint could not be written; the next start reads more of the log")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception ex);
}
