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

    /// <summary>Every mission asked for in the chat is first proposed: it runs once a person approves it.</summary>
    public bool RequireApproval { get; set; }

    /// <summary>A proposal nobody approves within this long ends cancelled (reason <c>proposal_expired</c>).</summary>
    public double ProposalTtlMinutes { get; set; } = 60;
}
