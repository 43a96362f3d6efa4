using System.Text.RegularExpressions;

namespace Missions.Chat;

/// <summary>Everything the assistant says in the chat, in one place: what a session answers is decided in the grain, worded here.</summary>
public static partial class ChatReplies
{
    /// <summary>How many missions "status" lists.</summary>
    public const int MissionsShown = 10;

    /// <summary>A mission was started.</summary>
    public static string Started(string missionId, MissionDraft draft)
    {
        var c = draft.Constraints;
        var where = c.AllowedDomains.Count > 0 ? string.Join(", ", c.AllowedDomains) : "the pages you named";
        var priority = draft.Priority == MissionPriority.Normal ? "" : $", {draft.Priority.ToString().ToLowerInvariant()} priority";
        return $"On it — mission {missionId} will {draft.Objective.Type} on {where}{priority} " +
               $"(up to {c.MaxPages} {(c.MaxPages == 1 ? "page" : "pages")}, within {c.MaxDurationSeconds} s). " +
               "I'll post the result here; you can follow it on the whiteboard.";
    }

    /// <summary>What a mission will do: "research on example.org (up to 5 pages, within 60 s)".</summary>
    public static string Plan(Objective objective, MissionConstraints c, IReadOnlyList<string> startUrls, MissionPriority priority)
    {
        var where = c.AllowedDomains.Count > 0 ? string.Join(", ", c.AllowedDomains) : "the pages you named";
        var starts = startUrls.Count > 0 ? $", starting from {string.Join(", ", startUrls.Take(3))}{(startUrls.Count > 3 ? " …" : "")}" : "";
        var urgency = priority == MissionPriority.Normal ? "" : $", {priority.ToString().ToLowerInvariant()} priority";
        return $"{objective.Type} on {where}{starts} (up to {c.MaxPages} {(c.MaxPages == 1 ? "page" : "pages")}, within {c.MaxDurationSeconds} s{urgency}).";
    }

    /// <summary>A mission was proposed: its plan and how to decide.</summary>
    public static string Proposed(string missionId, MissionDraft draft, TimeSpan ttl) =>
        $"Here is the plan — mission {missionId} would {Plan(draft.Objective, draft.Constraints, draft.StartUrls, draft.Priority)} " +
        $"Say \"go\" (or press Approve on the whiteboard) to run it, \"no\" to drop it, or change it first (\"make it 10 pages\"). " +
        $"It waits {Wait(ttl)} for your answer.";

    /// <summary>How long a proposal waits: "60 min", "6 s".</summary>
    public static string Wait(TimeSpan span) => span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} min" : $"{span.TotalSeconds:0} s";

    /// <summary>"go" / "no" with no proposal waiting.</summary>
    public const string NothingToDecide = "Nothing is waiting for your approval in this chat.";

    /// <summary>A change asked with no proposal waiting, or one that names nothing to change.</summary>
    public const string NothingToRevise =
        "I can change a proposal before you approve it: its pages (\"make it 10 pages\"), its time (\"within 2 minutes\"), " +
        "its priority (\"make it urgent\") or its sites (\"also on docs.example.org\").";

    /// <summary>A schedule was set: what it does, how often, when first, and how to steer it.</summary>
    public static string ScheduleSet(string scheduleId, MissionDraft draft, Schedules.Cadence cadence, DateTime? next) =>
        $"Scheduled — {scheduleId} will {Plan(draft.Objective, draft.Constraints, draft.StartUrls, draft.Priority).TrimEnd('.')} {cadence.Text}; " +
        $"first run {(next is { } at ? At(at) : "soon")}. I'll tell you here when its result changes (or a run fails); " +
        "every run shows on the whiteboard. Say \"schedules\" to list them, \"pause that\", \"resume that\" or \"stop the schedule\".";

    /// <summary>A cadence shorter than the shortest period allowed.</summary>
    public static string TooOften(Schedules.Cadence cadence, TimeSpan shortest) =>
        $"'{cadence.Text}' is too often: a schedule may fire at most every {Span(shortest)}. Say e.g. \"every {Span(shortest)}\" or less often.";

    /// <summary>"schedules": the session's schedules with their next firings.</summary>
    public static string Schedules(IReadOnlyList<ScheduleView> schedules)
    {
        if (schedules.Count == 0)
        {
            return "You have no schedules in this chat. Ask for work with how often, e.g. \"check https://status.example.org every hour\".";
        }
        var lines = schedules.Select(s =>
            $"• {s.ScheduleId} — {s.Cadence}: {Shorten(s.Objective.Description, 80)} — " +
            (s.Status == "paused" ? "paused" : s.NextRun is { } next ? $"next run {At(next)}" : "no next run") +
            $" ({s.Runs} {(s.Runs == 1 ? "run" : "runs")}{(s.Skipped > 0 ? $", {s.Skipped} skipped" : "")})");
        return $"{schedules.Count} {(schedules.Count == 1 ? "schedule" : "schedules")}:\n{string.Join("\n", lines)}";
    }

    /// <summary>A time to come: to the second within a day ("at 09:30:05 UTC"), else its date too.</summary>
    private static string At(DateTime when) =>
        when - DateTime.UtcNow < TimeSpan.FromDays(1) ? $"at {when:HH:mm:ss} UTC" : $"on {when:yyyy-MM-dd} at {when:HH:mm} UTC";

    private static string Span(TimeSpan span) =>
        span.TotalHours >= 1 && span.TotalHours % 1 == 0 ? $"{span.TotalHours:0} {(span.TotalHours == 1 ? "hour" : "hours")}"
        : span.TotalMinutes >= 1 && span.TotalMinutes % 1 == 0 ? $"{span.TotalMinutes:0} {(span.TotalMinutes == 1 ? "minute" : "minutes")}"
        : $"{span.TotalSeconds:0.#} seconds";

    /// <summary>A mission ended: its status, why when it did not complete, and the start of its answer.</summary>
    public static MissionOutcomeNotice Outcome(string missionId, MissionStatus status, int attempt, ExecutionResult? result, string? error)
    {
        var head = $"Mission {missionId} {status.ToWireName().Replace('_', ' ')}";
        var body = Shorten(result?.FinalAnswer ?? "", 1500);
        var text = status switch
        {
            MissionStatus.Completed => $"{head}.\n\n{body}",
            _ when body.Length > 0 => $"{head}: {error}\n\n{body}",
            _ => $"{head}: {error}",
        };
        return new MissionOutcomeNotice { MissionId = missionId, Status = status, Attempt = attempt, Text = text };
    }

    /// <summary>A repeat of a request whose mission is queued or running joins it.</summary>
    public static string Joined(string missionId, MissionView view) => view.Status == MissionStatus.Proposed
        ? $"That is already proposed — mission {missionId} waits for your approval: say \"go\" to run it or \"no\" to drop it."
        : $"Already working on that — mission {missionId} is {view.Status.ToWireName().Replace('_', ' ')}" +
        (view.Attempt > 1 ? $" (attempt {view.Attempt})" : "") + ". I'll post the result here.";

    /// <summary>A repeat of a request whose mission completed within the freshness window is answered from its result.</summary>
    public static string FromCache(string missionId, MissionView view) =>
        $"I did that {Ago(view.EndTime!.Value)} ago (mission {missionId}; answered from its result):\n\n" +
        Shorten(view.ExecutionResult?.FinalAnswer ?? "", 1500);

    /// <summary>"status": the cards of the session's latest missions (oldest first), of <paramref name="total"/> in all.</summary>
    public static string Missions(IReadOnlyList<MissionSummary> latest, int total)
    {
        if (total == 0)
        {
            return "You have no missions in this chat yet. Ask me to research something on a website to start one.";
        }
        var lines = latest.Reverse().Select(v =>
            $"• {v.MissionId[..8]} — {v.Status.ToWireName().Replace('_', ' ')}" +
            (v.Attempt > 1 ? $" (attempt {v.Attempt})" : "") + $": {Shorten(v.Objective?.Description ?? "", 80)}");
        var active = latest.Count(v => v.Status is MissionStatus.Active or MissionStatus.Queued);
        var head = active == 0 ? "Nothing is running now." : $"{active} of your missions {(active == 1 ? "is" : "are")} queued or running.";
        var more = total > MissionsShown ? $"\n…and {total - MissionsShown} older ones on the whiteboard." : "";
        return $"{head}\n{string.Join("\n", lines)}{more}";
    }

    /// <summary>A steering command whose id prefix fits several missions.</summary>
    public static string Ambiguous(string prefix, int matches) => $"'{prefix}' matches {matches} of your missions; give more of its id.";

    /// <summary>A steering command with no mission to steer.</summary>
    public static string NoSuchMission(string? prefix) =>
        prefix is null ? "You have no missions in this chat yet." : $"None of your missions in this chat has an id starting with '{prefix}'.";

    /// <summary>A message that asks for no work: a question back, a greeting, thanks, or what the assistant does.</summary>
    public static string Talk(string message, Intent intent)
    {
        if (intent.Kind == IntentKind.NeedsSite)
        {
            return $"I can {intent.ObjectiveType} that — which site should I read? Name a domain or paste a link, " +
                   "for example: \"research Orleans reminders on learn.microsoft.com, up to 5 pages\".";
        }
        var text = message.Trim().ToLowerInvariant();
        if (Greeting().IsMatch(text))
        {
            return "Hello! Ask me to research something on a website and I'll do it in the background — " +
                   "for example: \"research Orleans reminders on learn.microsoft.com, up to 5 pages\".";
        }
        if (text.StartsWith("thank"))
        {
            return "You're welcome.";
        }
        return "I run missions: background work that reads web pages within the sites you allow and reports back here. " +
               "Say what to find and where — for example: \"summarize https://example.com/post, within 2 minutes\". " +
               "Options: \"up to N pages\" (default 5, max 50) and \"within N seconds/minutes\" (default 60 s). " +
               "Steer with \"status\", \"cancel that\" or \"retry <mission id>\".";
    }

    private static string Ago(DateTime when)
    {
        var seconds = Math.Max(0, (DateTime.UtcNow - when).TotalSeconds);
        return seconds < 90 ? $"{seconds:0} s" : $"{seconds / 60:0} min";
    }

    private static string Shorten(string text, int length) => text.Length > length ? text[..length] + "…" : text;

    /// <summary>"hi", "hello there", "good morning" — not "history of actors".</summary>
    [GeneratedRegex(@"^(hi|hello|hey|hiya|howdy|greetings|good (morning|afternoon|evening|day))\b", RegexOptions.NonBacktracking)]
    private static partial Regex Greeting();
}
