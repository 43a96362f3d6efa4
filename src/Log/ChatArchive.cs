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

    /// <summary>A chat line's conversation, time, and the mission or schedule it names; false when it is not a message.</summary>
    private static bool TryRead(ReadOnlySpan<byte> line, out string id, out long ticks, out string? mission, out string? schedule)
    {
        id = "";
        ticks = 0;
        mission = schedule = null;
        string? found = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var which = reader.ValueTextEquals("session_id"u8) ? 1 : reader.ValueTextEquals("timestamp"u8) ? 2
                    : reader.ValueTextEquals("mission_id"u8) ? 3 : reader.ValueTextEquals("schedule_id"u8) ? 4 : 0;
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
                }
                else if (which == 2 && reader.TryGetDateTime(out var at))
                {
                    ticks = at.ToUniversalTime().Ticks;
                }
                else if (which == 3)
                {
                    mission = reader.GetString();
                }
                else if (which == 4)
                {
                    schedule = reader.GetString();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
        if (!Ids.IsValid(found))
        {
            return false;
        }
        id = found!;
        return ticks > 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: moved {Conversations} idle conversations ({Lines} lines) to the archive ({Months}); {Kept} lines stay live; {ElapsedMs} ms")]
    private static partial void LogCompacted(ILogger logger, int conversations, long lines, string months, long kept, long elapsedMs);
}
