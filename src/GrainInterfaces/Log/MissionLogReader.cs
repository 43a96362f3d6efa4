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

    public MissionLogReader(string path, MissionIndex index)
    {
        Index = index;
        _file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
    }

    public MissionIndex Index { get; }

    /// <summary>Parses one line of the mission log.</summary>
    public static MissionEvent ParseLine(ReadOnlySpan<byte> line) =>
        JsonSerializer.Deserialize(line, MissionsJson.Context.MissionEvent)
        ?? throw new JsonException("A mission line was null.");

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
            var read = 0;
            while (read < span.Length)
            {
                var n = RandomAccess.Read(_file, span[read..], lines[i].Offset + read);
                if (n == 0)
                {
                    throw new IOException($"The mission log ended before the line at offset {lines[i].Offset}.");
                }
                read += n;
            }
            events[i] = ParseLine(span);
        }
        return events;
    }

    /// <summary>The mission as the whiteboard shows it, or null when unknown.</summary>
    public MissionView? ReadView(string missionId)
    {
        var events = ReadEvents(missionId);
        return events.Count == 0 ? null : MissionView.FromEvents(events);
    }

    /// <summary>Newest missions first, as whiteboard cards.</summary>
    public IReadOnlyList<MissionSummary> ReadNewest(MissionStatus? status, int limit, string? before = null) =>
        Index.Newest(status, limit, before).Select(m => MissionSummary.From(MissionState.Fold(ReadEvents(m.Lines)))).ToList();

    /// <summary>Scans the log from <paramref name="start"/> into the index; returns what it found.</summary>
    public ScanResult IndexFrom(long start, Action<string>? onMalformed = null) =>
        JsonlScanner.Scan(_file, start, (line, where) =>
        {
            MissionEvent e;
            try
            {
                e = ParseLine(line);
            }
            catch (JsonException ex)
            {
                onMalformed?.Invoke($"offset {where.Offset}: {ex.Message}");
                return false;
            }
            Index.Add(e, where);
            return true;
        });

    public void Dispose() => _file.Dispose();
}
