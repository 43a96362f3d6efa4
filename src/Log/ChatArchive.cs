using System.Globalization;
using System.Text.Json;
using Missions.Chat;

namespace Missions.Log;

/// <summary>
/// Conversations idle past <c>Missions:Retention:IdleConversationDays</c>, moved out of <c>chat_sessions.jsonl</c> into
/// <c>archive/chats-YYYY-MM.jsonl.gz</c> (the month of their last line) by the same crash-safe steps as the missions
/// (<see cref="MissionArchive"/>). A conversation stays live while a mission it asked for has not ended (its outcome
/// is still to be posted there) and while it holds a schedule (whose runs post there). An archived conversation is
/// read, never continued: the chat log refuses to begin it again.
/// </summary>
public static partial class ChatArchive
{
    /// <summary>Moves the conversations idle since before <paramref name="cutoff"/> to the archive; null when none was due.</summary>
    internal static CompactionReport? Compact(string dataDirectory, DateTime cutoff, IReadOnlySet<string> unfinishedMissions, ILogger logger)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var live = Path.Combine(dataDirectory, LogFiles.ChatSessions);
        if (!File.Exists(live))
        {
            return null;
        }
        // 6. When each conversation last moved, and whether it still waits for something.
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        var held = new HashSet<string>(StringComparer.Ordinal);
        MissionArchive.ForEachLine(live, (line, whole) =>
        {
            if (whole && TryRead(line, out var id, out var ticks, out var mission, out var schedule))
            {
                last[id] = Math.Max(last.GetValueOrDefault(id), ticks);
                if (schedule is not null || (mission is not null && unfinishedMissions.Contains(mission)))
                {
                    held.Add(id);
                }
            }
        });
        var due = new Dictionary<string, string>(StringComparer.Ordinal);
        var monthNames = new Dictionary<int, string>();
        foreach (var (id, ticks) in last)
        {
            if (ticks < cutoff.Ticks && !held.Contains(id))
            {
                due[id] = MissionArchive.MonthOf(ticks, monthNames);
            }
        }
        MissionArchive.CrashPoint(6);
        if (due.Count == 0)
        {
            return null;
        }
        var (archived, kept, months) = MissionArchive.MoveOut(dataDirectory, MissionArchive.Chats, LogFiles.ChatSessions, due, TryReadId, cache: null, firstStep: 6);
        var report = new CompactionReport(due.Count, archived, kept, months, clock.ElapsedMilliseconds);
        LogCompacted(logger, due.Count, archived, string.Join(", ", months), kept, report.ElapsedMs);
        return report;
    }

    /// <summary>A conversation's messages from the archive, in order, or null when no month holds it.</summary>
    public static IReadOnlyList<ChatMessage>? Read(string dataDirectory, string sessionId) =>
        MissionArchive.ReadStream(dataDirectory, MissionArchive.Chats, "session_id", sessionId, TryReadId, ChatLog.ParseOrNull, m => m.Seq);

    /// <summary>True when the archive holds the conversation (a look-up on disk; a month is read only on a likely hit).</summary>
    public static bool Holds(string dataDirectory, string sessionId) => Read(dataDirectory, sessionId) is not null;

    internal static bool TryReadId(ReadOnlySpan<byte> line, out string id) => TryRead(line, out id, out _, out _, out _);

    private static readonly byte[][] Fields = [.. new[] { "session_id", "timestamp", "mission_id", "schedule_id" }.Select(System.Text.Encoding.UTF8.GetBytes)];

    /// <summary>A chat line's conversation, time, and the mission or schedule it names; false when it is not a message.</summary>
    private static bool TryRead(ReadOnlySpan<byte> line, out string id, out long ticks, out string? mission, out string? schedule)
    {
        id = "";
        string? found = null, named = null, held = null;
        long at = 0;
        var read = MissionArchive.ReadStrings(line, Fields, (int field, ref Utf8JsonReader reader) =>
        {
            switch (field)
            {
                case 0:
                    found = reader.GetString();
                    break;
                case 1 when reader.TryGetDateTime(out var time):
                    at = time.ToUniversalTime().Ticks;
                    break;
                case 2:
                    named = reader.GetString();
                    break;
                case 3:
                    held = reader.GetString();
                    break;
            }
            return false; // the whole line: a message names its mission or schedule anywhere in it
        });
        (ticks, mission, schedule) = (at, named, held);
        if (!read || !Ids.IsValid(found))
        {
            return false;
        }
        id = found!;
        return ticks > 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: moved {Conversations} idle conversations ({Lines} lines) to the archive ({Months}); {Kept} lines stay live; {ElapsedMs} ms")]
    private static partial void LogCompacted(ILogger logger, int conversations, long lines, string months, long kept, long elapsedMs);
}
