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

    /// <summary>
    /// Days a conversation stays in <c>chat_sessions.jsonl</c> after its last message (unless a mission it asked for has
    /// not ended, or it holds a schedule); after that the next start moves it to the archive, where it is read, not
    /// continued. Null (the default) keeps every conversation live.
    /// </summary>
    public double? IdleConversationDays { get; set; }
}

/// <summary>What one compaction did.</summary>
public sealed record CompactionReport(int MissionsArchived, long LinesArchived, long LinesKept, IReadOnlyList<string> Months, long ElapsedMs);
