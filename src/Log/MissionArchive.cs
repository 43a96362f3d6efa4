using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Missions.Log;

/// <summary>
/// Ended missions past their retention, moved out of <c>missions.jsonl</c> into <c>archive/missions-YYYY-MM.jsonl.gz</c>
/// (the month each ended in), from which one mission is still read by id and a whole month restored.
/// <para>
/// Compaction runs when the mission log opens, under the data directory's lock, before anything reads or writes it.
/// Each step leaves a directory a start can carry on from, so a process killed at any point loses nothing and writes
/// nothing twice: (1) the log is read; (2) each month's new archive (what it held, then the missions it gains) and the
/// new live log are written beside, as <c>.partial</c> files, and flushed to disk; (3) the months are renamed into place;
/// (4) the index's checkpoint (a cache of the old file) is deleted; (5) the new log is renamed over the old. A start
/// after a kill deletes what a step left beside and compacts again: a mission a month already holds is not added to it
/// again, so the archive keeps each mission once, and the live log keeps it until the switch.
/// </para>
/// </summary>
public static partial class MissionArchive
{
    public const string DirectoryName = "archive";

    /// <summary>A test hook: the process kills itself right after this step of a compaction, as <c>kill -9</c> would (1–5
    /// of the missions' compaction, 6–10 of the conversations').</summary>
    public const string CrashAfterStepVariable = "MISSIONS_TEST_COMPACTION_KILL_AFTER_STEP";

    internal const string Partial = ".partial";

    /// <summary>What a month file holds: <c>missions</c> (lines of <c>missions.jsonl</c>) or <c>chats</c> (of <c>chat_sessions.jsonl</c>).</summary>
    public const string Missions = "missions", Chats = "chats";

    public static string MonthFile(string month, string kind = Missions) => $"{kind}-{month}.jsonl.gz";

    /// <summary>A month's ids, for a look-up without reading the month (<see cref="MonthIds"/>).</summary>
    public static string IdsFile(string month, string kind = Missions) => $"{kind}-{month}.ids";

    /// <summary>The months the archive of a data directory holds (<c>YYYY-MM</c>) of one kind, oldest first.</summary>
    public static IReadOnlyList<string> Months(string dataDirectory, string kind = Missions)
    {
        var directory = Path.Combine(dataDirectory, DirectoryName);
        if (!Directory.Exists(directory))
        {
            return [];
        }
        return Directory.GetFiles(directory, $"{kind}-*.jsonl.gz")
            .Select(path => Path.GetFileName(path)[(kind.Length + 1)..^".jsonl.gz".Length])
            .Where(IsMonth)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public static bool IsMonth(string month) =>
        month.Length == 7 && DateTime.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>
    /// Moves the missions that ended before <paramref name="cutoff"/> out of the live log of
    /// <paramref name="dataDirectory"/> (which the caller holds: no one else writes it). Null when nothing was due;
    /// with no cutoff (retention off) it only deletes what a compaction killed part-way left beside.
    /// </summary>
    public static CompactionReport? Compact(string dataDirectory, DateTime? cutoff, ILogger logger) => Compact(dataDirectory, cutoff, null, logger).Missions;

    /// <summary>
    /// As above, then the conversations idle since before <paramref name="conversationCutoff"/> out of
    /// <c>chat_sessions.jsonl</c> (see <see cref="ChatArchive"/>): missions first, whose log says which conversations
    /// still wait for an outcome.
    /// </summary>
    public static (CompactionReport? Missions, CompactionReport? Conversations) Compact(string dataDirectory, DateTime? cutoff, DateTime? conversationCutoff, ILogger logger)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var live = Path.Combine(dataDirectory, LogFiles.Missions);
        var archive = Path.Combine(dataDirectory, DirectoryName);
        // What an earlier compaction killed part-way left beside: its old files are whole, so it starts again.
        File.Delete(live + Partial);
        File.Delete(Path.Combine(dataDirectory, LogFiles.ChatSessions) + Partial);
        if (Directory.Exists(archive))
        {
            foreach (var leftover in Directory.GetFiles(archive, "*" + Partial))
            {
                File.Delete(leftover);
            }
        }
        if ((cutoff is null && conversationCutoff is null) || !File.Exists(live))
        {
            return (null, null);
        }
        // 1. Which missions are over, and since when: a mission's last line (a reuse after its end keeps it live longer);
        // which missions schedules ran last.
        var streams = new Dictionary<string, StreamFacts>(StringComparer.Ordinal);
        var lastRuns = new Dictionary<string, string>(StringComparer.Ordinal); // schedule id → the mission of its last firing
        ForEachLine(live, (line, _) =>
        {
            if (TryReadHeader(line, out var id, out var header))
            {
                ref var stream = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(streams, id, out _);
                stream.IsMission |= header.Type == MissionCreated.EventType;
                stream.LastTicks = Math.Max(stream.LastTicks, header.Ticks);
                if (header.Type == MissionStatusUpdated.EventType)
                {
                    stream.Ended = header.Status is { } status && status.IsTerminal();
                }
                if (header.Type == ScheduleFired.EventType && Ids.IsValid(header.Run))
                {
                    lastRuns[id] = header.Run!;
                }
            }
        });
        // A schedule's last run stays however old: the schedule reads it before its next firing (and would make a
        // mission it cannot find again, under the same id).
        foreach (var run in lastRuns.Values)
        {
            if (streams.TryGetValue(run, out var lastRun))
            {
                lastRun.Ended = false;
                streams[run] = lastRun;
            }
        }
        var due = new Dictionary<string, string>(StringComparer.Ordinal); // mission id → its month
        var monthNames = new Dictionary<int, string>();
        foreach (var (id, stream) in streams)
        {
            if (cutoff is { } before && stream.IsMission && stream.Ended && stream.LastTicks < before.Ticks)
            {
                due[id] = MonthOf(stream.LastTicks, monthNames);
            }
        }
        // Missions not ended: their conversations wait for their outcomes.
        var unfinished = conversationCutoff is null ? null
            : streams.Where(p => p.Value.IsMission && !p.Value.Ended).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        streams.Clear();
        streams.TrimExcess(); // its arrays go now, not at the end of the method
        CrashPoint(1);
        CompactionReport? missions = null;
        if (due.Count > 0)
        {
            var (archived, kept, months) = MoveOut(dataDirectory, Missions, LogFiles.Missions, due, TryReadId, LogFiles.MissionsIndex, firstStep: 1);
            missions = new CompactionReport(due.Count, archived, kept, months, clock.ElapsedMilliseconds);
            LogCompacted(logger, missions.MissionsArchived, missions.LinesArchived, string.Join(", ", missions.Months), missions.LinesKept, missions.ElapsedMs);
        }
        var conversations = conversationCutoff is { } idleBefore ? ChatArchive.Compact(dataDirectory, idleBefore, unfinished!, logger) : null;
        if (missions is not null || conversations is not null)
        {
            // What reading the whole log took (an entry per stream, every id twice) is garbage now: given back before the
            // server starts, so it starts at the live set's size (10 M missions written: 3.1 GB resident otherwise).
            due.Clear();
            due.TrimExcess();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        return (missions, conversations);
    }

    internal delegate bool IdReader(ReadOnlySpan<byte> line, out string id);

    /// <summary>The month (<c>YYYY-MM</c>) of a time, one string per month however many streams end in it.</summary>
    internal static string MonthOf(long ticks, Dictionary<int, string> names)
    {
        var at = new DateTime(ticks, DateTimeKind.Utc);
        var key = at.Year * 12 + at.Month;
        if (!names.TryGetValue(key, out var name))
        {
            names[key] = name = at.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        }
        return name;
    }

    /// <summary>
    /// Steps 2–5 for one live log: the lines of the <paramref name="due"/> streams (id → month) into their months of
    /// <paramref name="kind"/>, the rest into the new log, each written beside; then the months, the cache dropped, the
    /// switch. The test hook's steps are <paramref name="firstStep"/> + 1 … + 4.
    /// </summary>
    internal static (long Archived, long Kept, IReadOnlyList<string> Months) MoveOut(string dataDirectory, string kind, string liveName,
        IReadOnlyDictionary<string, string> due, IdReader readId, string? cache, int firstStep)
    {
        var live = Path.Combine(dataDirectory, liveName);
        var compacting = live + Partial;
        var archive = Path.Combine(dataDirectory, DirectoryName);
        // 2. Each month's archive and the new live log, beside the old files.
        Directory.CreateDirectory(archive);
        var months = new Dictionary<string, MonthWriter>(StringComparer.Ordinal);
        long archived = 0, kept = 0;
        try
        {
            using (var next = new FileStream(compacting, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                ForEachLine(live, (line, whole) =>
                {
                    if (whole && readId(line, out var id) && due.TryGetValue(id, out var month))
                    {
                        if (!months.TryGetValue(month, out var writer))
                        {
                            months[month] = writer = MonthWriter.Open(archive, month, kind, readId);
                        }
                        writer.Add(id, line);
                        archived++;
                        return;
                    }
                    next.Write(line);
                    if (whole)
                    {
                        next.WriteByte((byte)'\n');
                        kept++;
                    }
                });
                next.Flush(flushToDisk: true);
            }
            foreach (var writer in months.Values)
            {
                writer.Finish();
            }
        }
        finally
        {
            foreach (var writer in months.Values)
            {
                writer.Dispose();
            }
        }
        CrashPoint(firstStep + 1);

        // 3. The months in place: from here a stream may be in both; the live log still holds it until step 5.
        var first = true;
        foreach (var month in months.Keys.Order(StringComparer.Ordinal))
        {
            // Its ids first: ids without their lines only cost a look-up a scan that finds nothing.
            File.Move(Path.Combine(archive, IdsFile(month, kind) + Partial), Path.Combine(archive, IdsFile(month, kind)), overwrite: true);
            File.Move(Path.Combine(archive, MonthFile(month, kind) + Partial), Path.Combine(archive, MonthFile(month, kind)), overwrite: true);
            if (first)
            {
                first = false;
                CrashPoint(firstStep + 2);
            }
        }
        SyncDirectory(archive);

        // 4. A cache of the old file (the index's checkpoint) is gone before the new one is in place.
        if (cache is not null)
        {
            File.Delete(Path.Combine(dataDirectory, cache));
        }
        CrashPoint(firstStep + 3);

        // 5. The switch.
        File.Move(compacting, live, overwrite: true);
        SyncDirectory(dataDirectory);
        CrashPoint(firstStep + 4);
        return (archived, kept, months.Keys.Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>One mission's lines from the archive, in order, or null when no month holds it (newest month first).</summary>
    public static IReadOnlyList<MissionEvent>? Read(string dataDirectory, string missionId) =>
        ReadStream(dataDirectory, Missions, "mission_id", missionId, TryReadId, MissionLogReader.ParseOrNull, e => e.Seq);

    internal delegate T? LineParser<T>(ReadOnlySpan<byte> line) where T : class;

    /// <summary>
    /// One stream's lines from the archive of <paramref name="kind"/>, in order, or null when no month holds it: newest
    /// month first, a month whose ids exclude it not read, a line parsed only when it names the stream.
    /// </summary>
    internal static IReadOnlyList<T>? ReadStream<T>(string dataDirectory, string kind, string idProperty, string id, IdReader readId,
        LineParser<T> parse, Func<T, int> seqOf) where T : class
    {
        if (!Ids.IsValid(id))
        {
            return null;
        }
        var needle = Encoding.UTF8.GetBytes($"\"{idProperty}\":\"{id}\"");
        foreach (var month in Months(dataDirectory, kind).Reverse())
        {
            if (MonthIds.Excludes(Path.Combine(dataDirectory, DirectoryName, IdsFile(month, kind)), id))
            {
                continue; // not this month's: its lines are not read
            }
            var lines = new List<T>();
            ForEachArchivedLine(Path.Combine(dataDirectory, DirectoryName, MonthFile(month, kind)), line =>
            {
                if (line.IndexOf(needle) >= 0 && readId(line, out var lineId) && lineId == id && parse(line) is { } parsed)
                {
                    lines.Add(parsed);
                }
            });
            if (lines.Count > 0)
            {
                lines.Sort((a, b) => seqOf(a).CompareTo(seqOf(b)));
                return lines;
            }
        }
        return null;
    }

    /// <summary>
    /// Puts a month's missions back at the end of the live log (those it does not hold already), then deletes the month.
    /// The server must be stopped (the caller holds the directory). Run again after a kill, it adds nothing twice.
    /// </summary>
    public static (int Missions, long Lines) RestoreMonth(string dataDirectory, string month, string kind = Missions)
    {
        var path = Path.Combine(dataDirectory, DirectoryName, MonthFile(month, kind));
        if (!IsMonth(month) || !File.Exists(path))
        {
            throw new FileNotFoundException($"The archive holds no month '{month}' of {kind} (it has: {(Months(dataDirectory, kind) is { Count: > 0 } held ? string.Join(", ", held) : "none")}).");
        }
        IdReader readId = kind == Chats ? ChatArchive.TryReadId : TryReadId;
        var live = Path.Combine(dataDirectory, kind == Chats ? LogFiles.ChatSessions : LogFiles.Missions);
        var present = new HashSet<string>(StringComparer.Ordinal);
        var endsWhole = true;
        if (File.Exists(live))
        {
            ForEachLine(live, (line, whole) =>
            {
                if (whole && readId(line, out var id))
                {
                    present.Add(id);
                }
                endsWhole = whole;
            });
        }
        var missions = new HashSet<string>(StringComparer.Ordinal);
        long lines = 0;
        using (var log = new FileStream(live, FileMode.Append, FileAccess.Write, FileShare.None, 1 << 20))
        {
            if (!endsWhole)
            {
                log.WriteByte((byte)'\n'); // a torn last line stays a (malformed, skipped) line of its own
            }
            ForEachArchivedLine(path, line =>
            {
                if (readId(line, out var id) && !present.Contains(id))
                {
                    log.Write(line);
                    log.WriteByte((byte)'\n');
                    missions.Add(id);
                    lines++;
                }
            });
            log.Flush(flushToDisk: true);
        }
        File.Delete(path);
        File.Delete(Path.Combine(dataDirectory, DirectoryName, IdsFile(month, kind)));
        SyncDirectory(Path.GetDirectoryName(path)!);
        return (missions.Count, lines);
    }

    private struct StreamFacts
    {
        public bool IsMission;
        public bool Ended;
        public long LastTicks;
    }

    /// <summary>What compaction needs of a line: a schedule's firing also names the mission it made (its run).</summary>
    private readonly record struct Header(string? Type, long Ticks, MissionStatus? Status, string? Run);

    /// <summary>A month's new archive: what the month held (each mission once), then the missions it gains.</summary>
    private sealed class MonthWriter : IDisposable
    {
        private readonly FileStream _file;
        private readonly GZipStream _zip;
        private readonly HashSet<string> _held = new(StringComparer.Ordinal);
        private readonly HashSet<string> _added = new(StringComparer.Ordinal);
        private readonly string _idsPath;

        private MonthWriter(FileStream file, string idsPath)
        {
            _file = file;
            _idsPath = idsPath;
            _zip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
        }

        public static MonthWriter Open(string archive, string month, string kind, IdReader readId)
        {
            var writer = new MonthWriter(new FileStream(Path.Combine(archive, MonthFile(month, kind) + Partial), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20),
                Path.Combine(archive, IdsFile(month, kind) + Partial));
            var existing = Path.Combine(archive, MonthFile(month, kind));
            if (File.Exists(existing))
            {
                ForEachArchivedLine(existing, line =>
                {
                    if (readId(line, out var id))
                    {
                        writer._held.Add(id);
                    }
                    writer._zip.Write(line);
                    writer._zip.WriteByte((byte)'\n');
                });
            }
            return writer;
        }

        /// <summary>A line of a mission the month gains; a mission it held already (a compaction killed after step 3) is not added again.</summary>
        public void Add(string id, ReadOnlySpan<byte> line)
        {
            if (_held.Contains(id))
            {
                return;
            }
            _added.Add(id);
            _zip.Write(line);
            _zip.WriteByte((byte)'\n');
        }

        public void Finish()
        {
            _zip.Flush();
            _zip.Dispose();
            _file.Flush(flushToDisk: true);
            MonthIds.Write(_idsPath, _held.Concat(_added));
        }

        public void Dispose()
        {
            _zip.Dispose();
            _file.Dispose();
        }
    }

    internal delegate void LineAction(ReadOnlySpan<byte> line, bool whole);

    internal delegate void ArchivedLineAction(ReadOnlySpan<byte> line);

    /// <summary>Each line of a file in order (without its newline); a last line without one is passed as not whole.</summary>
    internal static bool ForEachLine(string path, LineAction action)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        return ForEachLine(file, action);
    }

    private static bool ForEachLine(System.IO.Stream input, LineAction action)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int filled = 0, read;
            while ((read = input.Read(buffer, filled, buffer.Length - filled)) > 0 || filled > 0)
            {
                filled += read;
                var start = 0;
                var data = buffer.AsSpan(0, filled);
                int newline;
                while ((newline = data[start..].IndexOf((byte)'\n')) >= 0)
                {
                    action(data.Slice(start, newline), true);
                    start += newline + 1;
                }
                if (read == 0)
                {
                    if (start < filled)
                    {
                        action(data[start..], false);
                    }
                    return start == filled;
                }
                if (start == 0 && filled == buffer.Length)
                {
                    // A line longer than the buffer: a bigger one.
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                    continue;
                }
                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static void ForEachArchivedLine(string path, ArchivedLineAction action)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var zip = new GZipStream(file, CompressionMode.Decompress);
        ForEachLine(zip, (line, whole) =>
        {
            if (whole && !line.IsEmpty)
            {
                action(line);
            }
        });
    }

    private static bool TryReadId(ReadOnlySpan<byte> line, out string id) => TryRead(line, wantHeader: false, out id, out _);

    private static bool TryReadHeader(ReadOnlySpan<byte> line, out string id, out Header header) => TryRead(line, wantHeader: true, out id, out header);

    private static readonly byte[][] IdField = ["mission_id"u8.ToArray()];

    private static readonly byte[][] HeaderFields =
        [.. new[] { "mission_id", "event_type", "timestamp", "status", "run_mission_id" }.Select(Encoding.UTF8.GetBytes)];

    /// <summary>
    /// A line's stream id and, when asked, its event type, time and (a status change's) status; false for a line that is
    /// not an event (no valid id, bad JSON before what is wanted). Reads only as far as it must: the writer puts these
    /// first, so a completed mission's result — most of the log's bytes — is never tokenized.
    /// </summary>
    private static bool TryRead(ReadOnlySpan<byte> line, bool wantHeader, out string id, out Header header)
    {
        id = "";
        header = default;
        string? found = null, type = null, run = null;
        long ticks = 0;
        MissionStatus? status = null;
        var invalid = false;
        var read = ReadStrings(line, wantHeader ? HeaderFields : IdField, (int field, ref Utf8JsonReader reader) =>
        {
            switch (field)
            {
                case 0:
                    found = reader.GetString();
                    invalid = !Ids.IsValid(found);
                    break;
                case 1:
                    type = reader.GetString();
                    break;
                case 2 when reader.TryGetDateTime(out var at):
                    ticks = at.ToUniversalTime().Ticks;
                    break;
                case 3 when MissionStatusExtensions.TryParseWireName(reader.GetString()!, out var parsed):
                    status = parsed;
                    break;
                case 4:
                    run = reader.GetString();
                    break;
            }
            return invalid || found is not null && (!wantHeader || (type is not null && ticks > 0
                && (type != MissionStatusUpdated.EventType || status is not null) && (type != ScheduleFired.EventType || run is not null)));
        });
        if (!read || invalid || found is null)
        {
            return false;
        }
        id = found;
        header = new Header(type, ticks, status, run);
        return !wantHeader || (type is not null && ticks > 0);
    }

    /// <summary>Told of one wanted field (its place in the names asked for), the reader on its string value; true when enough is read.</summary>
    internal delegate bool StringField(int field, ref Utf8JsonReader reader);

    /// <summary>
    /// Walks a JSON line's top-level properties and hands each string one of <paramref name="names"/> to
    /// <paramref name="read"/>, until it says it has enough; everything else is skipped unread. False when the line is
    /// not a JSON object, or breaks off, before then.
    /// </summary>
    internal static bool ReadStrings(ReadOnlySpan<byte> line, byte[][] names, StringField read)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = names.Length - 1;
                while (field >= 0 && !reader.ValueTextEquals(names[field]))
                {
                    field--;
                }
                if (!reader.Read())
                {
                    return false;
                }
                if (field < 0 || reader.TokenType != JsonTokenType.String)
                {
                    reader.Skip();
                }
                else if (read(field, ref reader))
                {
                    break;
                }
            }
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    internal static void CrashPoint(int step)
    {
        if (Environment.GetEnvironmentVariable(CrashAfterStepVariable) == step.ToString(CultureInfo.InvariantCulture))
        {
            System.Diagnostics.Process.GetCurrentProcess().Kill(); // as kill -9: no finally, no flush
        }
    }

    /// <summary>A rename's durability: the directory's entry flushed (where the platform allows opening a directory).</summary>
    internal static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        try
        {
            using var handle = File.OpenHandle(directory, FileMode.Open, FileAccess.Read);
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // not every file system lets a directory be opened; the rename itself is still atomic
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: moved {Missions} ended missions ({Lines} lines) to the archive ({Months}); {Kept} lines stay live; {ElapsedMs} ms")]
    private static partial void LogCompacted(ILogger logger, int missions, long lines, string months, long kept, long elapsedMs);
}
