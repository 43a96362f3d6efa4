using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Missions.Log;

/// <summary>
/// Reads missions back from <c>missions.jsonl</c> by offset, through the index: a view costs a few reads of its
/// own lines, however large the log grows.
/// </summary>
public sealed class MissionLogReader : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly bool _ownsFile;

    /// <summary>A reader with a handle of its own (a process that follows a log another one writes).</summary>
    public MissionLogReader(string path, MissionIndex index)
        : this(File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), index, ownsFile: true)
    {
    }

    /// <summary>A reader over a handle its owner keeps open (the writer's process).</summary>
    public MissionLogReader(SafeFileHandle file, MissionIndex index, bool ownsFile)
    {
        _file = file;
        Index = index;
        _ownsFile = ownsFile;
    }

    public MissionIndex Index { get; }

    /// <summary>Parses one line of the mission log; a well-formed line of a type this build does not know is an <see cref="UnknownEvent"/>.</summary>
    public static MissionEvent ParseLine(ReadOnlySpan<byte> line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, MissionsJson.Context.MissionEvent)
                ?? throw new JsonException("A mission line was null.");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            return UnknownOrNull(line) ?? throw (ex as JsonException ?? new JsonException(ex.Message, ex));
        }
    }

    /// <summary>The line as an <see cref="UnknownEvent"/> when it is a well-formed event of a type this build does not know.</summary>
    private static UnknownEvent? UnknownOrNull(ReadOnlySpan<byte> line)
    {
        Span<char> id = stackalloc char[MissionLineHeader.MaxIdLength];
        if (!MissionLineHeader.TryRead(line, id, out var length, out var header) || header.Kind != MissionLineKind.Unknown)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(line.ToArray());
            var root = document.RootElement;
            return new UnknownEvent
            {
                MissionId = id[..length].ToString(),
                Seq = root.TryGetProperty("seq", out var seq) && seq.TryGetInt32(out var n) ? n : 0,
                Timestamp = root.TryGetProperty("timestamp", out var at) && at.TryGetDateTime(out var t) ? t : DateTime.MinValue,
                OriginalEventType = ClipType(root.GetProperty("event_type").GetString() ?? ""),
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static string ClipType(string type) => type.Length <= 64 ? type : type[..64];

    /// <summary>Parses one line of the mission log; null when it is not a mission event.</summary>
    public static MissionEvent? ParseOrNull(ReadOnlySpan<byte> line)
    {
        try
        {
            return ParseLine(line);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The mission's events, oldest first; empty when the mission is unknown.</summary>
    public IReadOnlyList<MissionEvent> ReadEvents(string missionId) => ReadEvents(Index.LinesOf(missionId));

    public IReadOnlyList<MissionEvent> ReadEvents(LineRef[] lines)
    {
        if (lines.Length == 0)
        {
            return [];
        }
        var events = new MissionEvent[lines.Length];
        var buffer = new byte[lines.Max(l => l.Length)];
        for (var i = 0; i < lines.Length; i++)
        {
            var span = buffer.AsSpan(0, lines[i].Length);
            JsonlScanner.ReadLine(_file, lines[i], span);
            events[i] = ParseLine(span);
        }
        return events;
    }

    /// <summary>One line of the log, parsed.</summary>
    public MissionEvent ReadEvent(LineRef line)
    {
        var buffer = new byte[line.Length];
        JsonlScanner.ReadLine(_file, line, buffer);
        return ParseLine(buffer);
    }

    /// <summary>A mission's state as its lines say (one that does not exist when unknown).</summary>
    public MissionState ReadState(string missionId) => MissionState.Fold(ReadEvents(missionId));

    /// <summary>
    /// A schedule's state as its lines say, or null when they cannot be folded (a line this build cannot read): a page
    /// lists the others, and <see cref="OnUnreadable"/> hears of it once per schedule.
    /// </summary>
    public ScheduleState? ReadSchedule(string scheduleId)
    {
        try
        {
            return ScheduleState.Fold(ReadEvents(scheduleId));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (_unreadableReported.TryAdd(scheduleId, true))
            {
                OnUnreadable?.Invoke(scheduleId, ex);
            }
            return null;
        }
    }

    /// <summary>Told once of each stream that cannot be folded (see <see cref="ReadSchedule"/>).</summary>
    public Action<string, Exception>? OnUnreadable { get; set; }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _unreadableReported = new(StringComparer.Ordinal);

    /// <summary>The mission as the whiteboard shows it, or null when unknown.</summary>
    public MissionView? ReadView(string missionId)
    {
        var events = ReadEvents(missionId);
        return events.Count == 0 ? null : MissionView.FromEvents(events);
    }

    /// <summary>Cards of the pages people look at most (the newest ones, over and over): folded once per version.</summary>
    private readonly SummaryCache _summaries = new(capacity: 5_000);

    /// <summary>Newest missions first, as whiteboard cards; with <paramref name="owner"/>, that owner's only.</summary>
    public IReadOnlyList<MissionSummary> ReadNewest(MissionStatus? status, int limit, string? before = null, string? owner = null, MissionIndex.IFilter? match = null) =>
        Index.Newest(status, limit, before, owner, match)
            .Select(m => _summaries.GetOrAdd(m.MissionId, m.Lines.Length, () => MissionSummary.From(MissionState.Fold(ReadEvents(m.Lines)))))
            .ToList();

    /// <summary>Scans the log from <paramref name="start"/> into the index (each line's facts only); returns what it found.</summary>
    public ScanResult IndexFrom(long start, Action<string>? onMalformed = null) => JsonlScanner.Scan(_file, start, FactIndexer(Index, onMalformed));

    /// <summary>A scan handler that reads each line's facts into <paramref name="index"/>; a malformed line is reported and skipped.</summary>
    public static JsonlScanner.LineHandler FactIndexer(MissionIndex index, Action<string>? onMalformed = null) => (line, where) =>
    {
        Span<char> id = stackalloc char[MissionLineHeader.MaxIdLength];
        Span<char> owner = stackalloc char[Ids.MaxLength];
        if (MissionLineHeader.TryRead(line, id, out var length, owner, out var ownerLength, out var facts))
        {
            index.Add(id[..length], facts, where, owner[..ownerLength]);
            return true;
        }
        onMalformed?.Invoke($"offset {where.Offset}: not a mission event");
        return false;
    };

    public void Dispose()
    {
        if (_ownsFile)
        {
            _file.Dispose();
        }
    }
}
