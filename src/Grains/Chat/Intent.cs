namespace Missions.Chat;

/// <summary>What a message asks for.</summary>
public enum IntentKind
{
    /// <summary>Talk: a greeting, a question about the assistant, anything that asks for no work.</summary>
    Conversational,

    /// <summary>Work with nowhere to do it: a request verb but no URL or domain to read.</summary>
    NeedsSite,

    /// <summary>Work: becomes a mission.</summary>
    Actionable,

    /// <summary>Steering: status, cancel or retry of the session's missions; never a new mission.</summary>
    Command,
}

/// <summary>What a steering message asks.</summary>
public enum SessionCommand
{
    None,

    /// <summary>"status", "what are you working on": the session's missions and their states.</summary>
    Status,

    /// <summary>"cancel &lt;mission&gt;", "cancel that".</summary>
    Cancel,

    /// <summary>"retry &lt;mission&gt;", "retry that".</summary>
    Retry,

    /// <summary>"go", "approve", "yes": the waiting proposal (or the one named) runs.</summary>
    Approve,

    /// <summary>"no", "reject": the waiting proposal (or the one named) is dropped.</summary>
    Reject,

    /// <summary>"make it 10 pages": the waiting proposal's plan changes.</summary>
    Revise,
}

/// <summary>The classifier's reading of a message.</summary>
/// <param name="Command">For <see cref="IntentKind.Command"/>: which one.</param>
/// <param name="Target">For cancel, retry, approve and reject: a mission id or its first characters; null for "that" (the latest).</param>
/// <param name="Propose">For work: the message asked for a plan first ("propose …", "draft a mission to …").</param>
public sealed record Intent(
    IntentKind Kind,
    string ObjectiveType,
    IReadOnlyList<Uri> Urls,
    IReadOnlyList<string> Domains,
    SessionCommand Command = SessionCommand.None,
    string? Target = null,
    bool Propose = false);
