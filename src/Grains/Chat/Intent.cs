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

    /// <summary>"schedules": the session's schedules and their next firings.</summary>
    Schedules,

    /// <summary>"pause &lt;schedule&gt;", "pause that".</summary>
    Pause,

    /// <summary>"resume &lt;schedule&gt;".</summary>
    Resume,

    /// <summary>"stop the schedule", "delete schedule &lt;id&gt;" ("stop &lt;sch-…&gt;" and "stop that" after a schedule too).</summary>
    DeleteSchedule,
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
    bool Propose = false)
{
    /// <summary>For work asked for repeatedly ("every hour"): how often; the objective is <see cref="WorkText"/>.</summary>
    public Schedules.Cadence? Schedule { get; init; }

    /// <summary>A cadence was named but cannot be used (a malformed cron expression): what is wrong, for the person.</summary>
    public string? ScheduleError { get; init; }

    /// <summary>For a schedule: the message without its cadence phrase.</summary>
    public string? WorkText { get; init; }
}
