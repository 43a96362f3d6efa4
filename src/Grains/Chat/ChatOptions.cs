namespace Missions.Chat;

/// <summary>How the chat treats repeated requests (<c>Missions:Chat</c>).</summary>
public sealed class ChatOptions
{
    public const string Section = "Missions:Chat";

    /// <summary>
    /// An identical request (same objective and constraints, same session) is answered from a completed
    /// mission's result for this long; 0 turns the cache off. Queued or running identical missions are always joined.
    /// </summary>
    public int FreshnessSeconds { get; set; } = 600;
}
