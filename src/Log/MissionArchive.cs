using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Missions.Log;

/// <summary><c>Missions:Retention</c>: how long what is over stays in the live logs (the embedded default).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Missions:Retention";

    /// <summary>
    /// Days after a mission ended (its last line) that it stays in <c>missions.jsonl</c>; after that the next start moves
    /// it to the archive. Null (the default) keeps every mission live.
    /// </summary>
    public double? EndedMissionDays { get; set; }
}

/// <summary>What one compaction did.</summary>
public sealed record CompactionReport(int MissionsArchived, long LinesArchived, long LinesKept, IReadOnlyList<string> Months, long ElapsedMs);

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

    /// <summary>A test hook: the process kills itself right after this step (1–5) of a compaction, as <c>kill -9</c> would.</summary>
    public const string CrashAfterStepVariable = "MISSIONS_TEST_COMPACTION_KILL_AFTER_STEP";

    private const string Partial = ".partial";

    public static string MonthFile(string month) => $"missions-{month}.jsonl.gz";

    /// <summary>A month's ids, for a look-up without reading the month (<see cref="MonthIds"/>).</summary>
    public static string IdsFile(string month) => $"missions-{month}.ids";

    /// <summary>The months the archive of a data directory holds (<c>YYYY-MM</c>), oldest first.</summary>
    public static IReadOnlyList<string> Months(string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, DirectoryName);
        if (!Directory.Exists(directory))
        {
            return [];
        }
        return Directory.GetFiles(directory, "missions-*.jsonl.gz")
            .Select(path => Path.GetFileName(path)["missions-".Length..^".jsonl.gz".Length])
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
    public static CompactionReport? Compact(string dataDirectory, DateTime? cutoff, ILogger logger)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var live = Path.Combine(dataDirectory, LogFiles.Missions);
        var compacting = live + Partial;
        var archive = Path.Combine(dataDirectory, DirectoryName);
        // What an earlier compaction killed part-way left beside: its old files are whole, so it starts again.
        File.Delete(compacting);
        if (Directory.Exists(archive))
        {
            foreach (var leftover in Directory.GetFiles(archive, "*" + Partial))
            {
                File.Delete(leftover);
            }
        }
        if (cutoff is null || !File.Exists(live))
        {
            return null;
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
        foreach (var (id, stream) in streams)
        {
            if (stream.IsMission && stream.Ended && stream.LastTicks < cutoff.Value.Ticks)
            {
                due[id] = new DateTime(stream.LastTicks, DateTimeKind.Utc).ToString("yyyy-MM", CultureInfo.InvariantCulture);
            }
        }
        streams.Clear();
        CrashPoint(1);
        if (due.Count == 0)
        {
            return null;
        }

        // 2. Each month's archive and the new live log, beside the old files.
        Directory.CreateDirectory(archive);
        var months = new Dictionary<string, MonthWriter>(StringComparer.Ordinal);
        long archived = 0, kept = 0;
        try
        {
            using (var next = new FileStream(compacting, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                var tail = ForEachLine(live, (line, whole) =>
                {
                    if (whole && TryReadId(line, out var id) && due.TryGetValue(id, out var month))
                    {
                        if (!months.TryGetValue(month, out var writer))
                        {
                            months[month] = writer = MonthWriter.Open(archive, month);
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
        CrashPoint(2);

        // 3. The months in place: from here a mission may be in both; the live log still holds it until step 5.
        var first = true;
        foreach (var month in months.Keys.Order(StringComparer.Ordinal))
        {
            // Its ids first: ids without their lines only cost a look-up a scan that finds nothing.
            File.Move(Path.Combine(archive, IdsFile(month) + Partial), Path.Combine(archive, IdsFile(month)), overwrite: true);
            File.Move(Path.Combine(archive, MonthFile(month) + Partial), Path.Combine(archive, MonthFile(month)), overwrite: true);
            if (first)
            {
                first = false;
                CrashPoint(3);
            }
        }
        SyncDirectory(archive);

        // 4. The index's checkpoint describes the old file: gone before the new one is in place.
        File.Delete(Path.Combine(dataDirectory, LogFiles.MissionsIndex));
        CrashPoint(4);

        // 5. The switch.
        File.Move(compacting, live, overwrite: true);
        SyncDirectory(dataDirectory);
        CrashPoint(5);

        var report = new CompactionReport(due.Count, archived, kept, months.Keys.Order(StringComparer.Ordinal).ToList(), clock.ElapsedMilliseconds);
        LogCompacted(logger, report.MissionsArchived, report.LinesArchived, string.Join(", ", report.Months), report.LinesKept, report.ElapsedMs);
        return report;
    }

    /// <summary>One mission's lines from the archive, in order, or null when no month holds it (newest month first).</summary>
    public static IReadOnlyList<MissionEvent>? Read(string dataDirectory, string missionId)
    {
        if (!Ids.IsValid(missionId))
        {
            return null;
        }
        var needle = Encoding.UTF8.GetBytes($"\"mission_id\":\"{missionId}\"");
        foreach (var month in Months(dataDirectory).Reverse())
        {
            if (MonthIds.Excludes(Path.Combine(dataDirectory, DirectoryName, IdsFile(month)), missionId))
            {
                continue; // not this month's: its lines are not read
            }
            var events = new List<MissionEvent>();
            ForEachArchivedLine(Path.Combine(dataDirectory, DirectoryName, MonthFile(month)), line =>
            {
                if (line.IndexOf(needle) >= 0 && TryReadId(line, out var id) && id == missionId && MissionLogReader.ParseOrNull(line) is { } e)
                {
                    events.Add(e);
                }
            });
            if (events.Count > 0)
            {
                events.Sort((a, b) => a.Seq.CompareTo(b.Seq));
                return events;
            }
        }
        return null;
    }

    /// <summary>
    /// Puts a month's missions back at the end of the live log (those it does not hold already), then deletes the month.
    /// The server must be stopped (the caller holds the directory). Run again after a kill, it adds nothing twice.
    /// </summary>
    public static (int Missions, long Lines) RestoreMonth(string dataDirectory, string month)
    {
        var path = Path.Combine(dataDirectory, DirectoryName, MonthFile(month));
        if (!IsMonth(month) || !File.Exists(path))
        {
            throw new FileNotFoundException($"The archive holds no month '{month}' (it has: {(Months(dataDirectory) is { Count: > 0 } held ? string.Join(", ", held) : "none")}).");
        }
        var live = Path.Combine(dataDirectory, LogFiles.Missions);
        var present = new HashSet<string>(StringComparer.Ordinal);
        var endsWhole = true;
        if (File.Exists(live))
        {
            ForEachLine(live, (line, whole) =>
            {
                if (whole && TryReadId(line, out var id))
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
                if (TryReadId(line, out var id) && !present.Contains(id))
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
        File.Delete(Path.Combine(dataDirectory, DirectoryName, IdsFile(month)));
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

        public static MonthWriter Open(string archive, string month)
        {
            var writer = new MonthWriter(new FileStream(Path.Combine(archive, MonthFile(month) + Partial), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20),
                Path.Combine(archive, IdsFile(month) + Partial));
            var existing = Path.Combine(archive, MonthFile(month));
            if (File.Exists(existing))
            {
                ForEachArchivedLine(existing, line =>
                {
                    if (TryReadId(line, out var id))
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

    private delegate void LineAction(ReadOnlySpan<byte> line, bool whole);

    private delegate void ArchivedLineAction(ReadOnlySpan<byte> line);

    /// <summary>Each line of a file in order (without its newline); a last line without one is passed as not whole.</summary>
    private static bool ForEachLine(string path, LineAction action)
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

    private static void ForEachArchivedLine(string path, ArchivedLineAction action)
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
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var which = reader.ValueTextEquals("mission_id"u8) ? 1 : !wantHeader ? 0
                    : reader.ValueTextEquals("event_type"u8) ? 2 : reader.ValueTextEquals("timestamp"u8) ? 3 : reader.ValueTextEquals("status"u8) ? 4
                    : reader.ValueTextEquals("run_mission_id"u8) ? 5 : 0;
                if (!reader.Read())
                {
                    return false;
                }
                if (which == 0 || reader.TokenType != JsonTokenType.String)
                {
                    reader.Skip();
                }
                else if (which == 1)
                {
                    found = reader.GetString();
                    if (!Ids.IsValid(found))
                    {
                        return false;
                    }
                }
                else if (which == 2)
                {
                    type = reader.GetString();
                }
                else if (which == 3 && reader.TryGetDateTime(out var at))
                {
                    ticks = at.ToUniversalTime().Ticks;
                }
                else if (which == 4 && MissionStatusExtensions.TryParseWireName(reader.GetString()!, out var parsed))
                {
                    status = parsed;
                }
                else if (which == 5)
                {
                    run = reader.GetString();
                }
                if (found is not null && (!wantHeader || (type is not null && ticks > 0
                    && (type != MissionStatusUpdated.EventType || status is not null) && (type != ScheduleFired.EventType || run is not null))))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
        if (found is null)
        {
            return false;
        }
        id = found;
        header = new Header(type, ticks, status, run);
        return !wantHeader || (type is not null && ticks > 0);
    }

    private static void CrashPoint(int step)
    {
        if (Environment.GetEnvironmentVariable(CrashAfterStepVariable) == step.ToString(CultureInfo.InvariantCulture))
        {
            System.Diagnostics.Process.GetCurrentProcess().Kill(); // as kill -9: no finally, no flush
        }
    }

    /// <summary>A rename's durability: the directory's entry flushed (where the platform allows opening a directory).</summary>
    private static void SyncDirectory(string directory)
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

/// <summary>
/// A month's ids as sorted 64-bit hashes (FNV-1a of the id), 8 bytes each: whether a mission may be in a month is a
/// binary search of the file (about 24 reads at 10 million), with nothing kept in memory. A hash shared by two ids only
/// makes a look-up read a month that does not have it.
/// </summary>
public static class MonthIds
{
    public static ulong Hash(string id)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }

    public static void Write(string path, IEnumerable<string> ids)
    {
        var hashes = ids.Select(Hash).ToArray();
        Array.Sort(hashes);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Span<byte> bytes = stackalloc byte[8];
        foreach (var hash in hashes)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, hash);
            file.Write(bytes);
        }
        file.Flush(flushToDisk: true);
    }

    /// <summary>True when the month's ids file exists and does not hold the id; false when it may (or there is no file).</summary>
    public static bool Excludes(string path, string id)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        using var handle = File.OpenHandle(path);
        var count = RandomAccess.GetLength(handle) / 8;
        var wanted = Hash(id);
        Span<byte> bytes = stackalloc byte[8];
        long lo = 0, hi = count - 1;
        while (lo <= hi)
        {
            var mid = lo + (hi - lo) / 2;
            if (RandomAccess.Read(handle, bytes, mid * 8) != 8)
            {
                return false;
            }
            var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
            if (value == wanted)
            {
                return false;
            }
            if (value < wanted)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return true;
    }
}
