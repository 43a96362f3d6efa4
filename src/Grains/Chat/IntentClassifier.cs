using System.Text.RegularExpressions;

namespace Missions.Chat;

/// <summary>
/// The rule-based intent classifier. A message is <b>actionable</b> when it names somewhere to work — a URL, or a
/// domain such as <c>learn.microsoft.com</c> — together with a request verb (research, find, look up, search,
/// summarize, fetch, check, read, …), or when it is nothing but URLs. A request verb with nowhere to work asks the
/// person for a site. Everything else (greetings, questions about the assistant, chat) is conversational.
/// The objective type follows the verb: <c>research</c>, <c>summarize</c>, <c>fetch</c> or <c>check</c>.
/// </summary>
public sealed partial class IntentClassifier
{
    private static readonly (string Type, string[] Verbs)[] VerbsByType =
    [
        ("summarize", ["summarize", "summarise", "summary", "tl;dr", "tldr"]),
        ("check", ["check", "verify", "monitor", "review", "audit", "watch"]),
        ("fetch", ["fetch", "download", "grab", "read", "crawl", "scrape", "collect"]),
        ("research", ["research", "find", "look up", "lookup", "look into", "look for", "search", "investigate", "explore", "gather",
            "compare", "analyze", "analyse", "dig into", "study"]),
    ];

    public Intent Classify(string message)
    {
        if (ClassifyCommand(message) is { } command)
        {
            return command;
        }
        if (Schedules.Cadence.TryFind(message, out var cadence, out var error, out var rest))
        {
            // "check https://status.example.org every hour": the work is what is left without the cadence.
            var work = ClassifyWork(rest);
            if (work.Kind == IntentKind.Actionable)
            {
                return work with { Schedule = cadence, ScheduleError = error, WorkText = rest };
            }
        }
        return ClassifyWork(message);
    }

    private Intent ClassifyWork(string message)
    {

        var urls = ExtractUrls(message);
        var domains = ExtractDomains(message, urls);
        var type = ObjectiveTypeOf(message);
        var somewhere = urls.Count > 0 || domains.Count > 0;
        var onlyUrls = urls.Count > 0 && UrlPattern().Replace(message, "").Trim().Length == 0;
        var propose = message.Length <= 4_000 && ProposalPrefix().IsMatch(message);

        if (somewhere && (type is not null || onlyUrls || propose))
        {
            return new Intent(IntentKind.Actionable, type ?? (propose ? "research" : "fetch"), urls, domains, Propose: propose);
        }
        if (message.Trim().Length <= 200 && ReviseCommand().IsMatch(message.Trim()))
        {
            // "make it 10 pages, also on docs.example.org": a change to the waiting proposal, with the sites it adds.
            return new Intent(IntentKind.Command, "", urls, domains, SessionCommand.Revise);
        }
        if (type is not null && !IsSmallTalk(message))
        {
            return new Intent(IntentKind.NeedsSite, type, urls, domains);
        }
        return new Intent(IntentKind.Conversational, "", urls, domains);
    }

    /// <summary>
    /// Steering commands, recognised only as the whole message: "status" / "what are you working on";
    /// "cancel|stop|abort [that|it|last|&lt;mission id or its first characters&gt;]"; "retry|rerun [same targets]".
    /// </summary>
    private static Intent? ClassifyCommand(string message)
    {
        var text = message.Trim();
        if (text.Length > 120)
        {
            return null;
        }
        if (StatusCommand().IsMatch(text))
        {
            return new Intent(IntentKind.Command, "", [], [], SessionCommand.Status);
        }
        if (SchedulesCommand().IsMatch(text))
        {
            return new Intent(IntentKind.Command, "", [], [], SessionCommand.Schedules);
        }
        var scheduleCommand = ScheduleCommand().Match(text);
        if (scheduleCommand.Success)
        {
            var asked = scheduleCommand.Groups["verb"].Value.ToLowerInvariant();
            var which = asked == "pause" ? SessionCommand.Pause : asked is "resume" or "unpause" ? SessionCommand.Resume : SessionCommand.DeleteSchedule;
            return new Intent(IntentKind.Command, "", [], [], which, scheduleCommand.Groups["id"].Success ? scheduleCommand.Groups["id"].Value : null);
        }
        foreach (var (pattern, decision) in new[] { (ApproveCommand(), SessionCommand.Approve), (RejectCommand(), SessionCommand.Reject) })
        {
            var said = pattern.Match(text);
            if (said.Success)
            {
                var named = said.Groups["id"];
                return new Intent(IntentKind.Command, "", [], [], decision,
                    named.Success && named.Value.ToLowerInvariant() is not ("proposal" or "plan" or "mission" or "that" or "this" or "please" or "thanks") ? named.Value : null);
            }
        }
        var steer = SteerCommand().Match(text);
        if (!steer.Success)
        {
            return null;
        }
        var verb = steer.Groups["verb"].Value.ToLowerInvariant();
        var command = verb is "retry" or "rerun" or "re-run" ? SessionCommand.Retry : SessionCommand.Cancel;
        var target = steer.Groups["id"].Success ? steer.Groups["id"].Value : null;
        return new Intent(IntentKind.Command, "", [], [], command, target);
    }

    /// <summary>The objective type a message's first request verb names, or null when it names none.</summary>
    public static string? ObjectiveTypeOf(string message)
    {
        var text = message.ToLowerInvariant();
        var best = (Type: (string?)null, At: int.MaxValue);
        foreach (var (type, verbs) in VerbsByType)
        {
            foreach (var verb in verbs)
            {
                var at = IndexOfWord(text, verb);
                if (at >= 0 && at < best.At)
                {
                    best = (type, at);
                }
            }
        }
        return best.Type;
    }

    private static bool IsSmallTalk(string message) => SmallTalk().IsMatch(message);

    private static int IndexOfWord(string text, string word)
    {
        for (var at = text.IndexOf(word, StringComparison.Ordinal); at >= 0; at = text.IndexOf(word, at + 1, StringComparison.Ordinal))
        {
            var before = at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            var end = at + word.Length;
            var after = end == text.Length || !char.IsLetterOrDigit(text[end]);
            if (before && after)
            {
                return at;
            }
        }
        return -1;
    }

    public static IReadOnlyList<Uri> ExtractUrls(string message)
    {
        var urls = new List<Uri>();
        foreach (Match match in UrlPattern().Matches(message))
        {
            var candidate = match.Value.TrimEnd('.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"');
            if (Uri.TryCreate(candidate, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0
                && !urls.Contains(uri))
            {
                urls.Add(uri);
            }
        }
        return urls;
    }

    private static IReadOnlyList<string> ExtractDomains(string message, IReadOnlyList<Uri> urls)
    {
        var domains = new List<string>();
        foreach (var url in urls)
        {
            AddDomain(domains, url.Host);
        }
        try
        {
            foreach (Match match in DomainPattern().Matches(UrlPattern().Replace(message, " ")))
            {
                var domain = match.Value.TrimEnd('.');
                // "Node.js", "e.g.", "textwrap.wrap" look like domains but are not (DomainShape).
                if (!domain.Contains('@') && Execution.DomainShape.IsDomain(domain))
                {
                    AddDomain(domains, domain);
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // A message built to be slow to scan names no more domains than those found so far.
        }
        return domains;
    }

    private static void AddDomain(List<string> domains, string domain)
    {
        domain = domain.ToLowerInvariant();
        if (!domains.Contains(domain))
        {
            domains.Add(domain);
        }
    }

    [GeneratedRegex(@"^(status|progress|what are you (working on|doing)|what'?s (running|happening)|list (my )?missions|my missions)\s*[?.!]*$", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex StatusCommand();

    [GeneratedRegex(@"^(?<verb>cancel|stop|abort|retry|rerun|re-run)(\s+(the\s+)?(mission\s+)?((that|it|this|last|latest)(\s+one)?|(?<id>[A-Za-z0-9_-]{4,64})))?\s*[.!]*$", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex SteerCommand();

    [GeneratedRegex(@"^(schedules|(list|show)\s+(my\s+)?schedules|my schedules|what'?s scheduled|what is scheduled)\s*[?.!]*$", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex SchedulesCommand();

    /// <summary>"pause [that|&lt;id&gt;]", "resume …", "stop|delete|remove|cancel the schedule [&lt;id&gt;]", "unschedule …".</summary>
    [GeneratedRegex(@"^((?<verb>pause|resume|unpause)(\s+(the\s+)?(schedule\s+)?((that|it|this|last|latest)(\s+one)?|(?<id>[A-Za-z0-9_-]{4,64})))?|(?<verb>stop|delete|remove|cancel|end)\s+(the\s+|my\s+|that\s+)?schedule(\s+((that|it|this|last|latest)|(?<id>[A-Za-z0-9_-]{4,64})))?|(?<verb>unschedule)(\s+((that|it|this)|(?<id>[A-Za-z0-9_-]{4,64})))?)\s*[.!]*$", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex ScheduleCommand();

    [GeneratedRegex(@"^(go|go ahead|approve|approved|yes|yes please|yep|do it|run it|start it|lgtm|ship it)(\s+(it|that|this|the proposal|(the\s+)?(mission\s+)?(?<id>[A-Za-z0-9_-]{4,64})))?\s*[.!]*$", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex ApproveCommand();

    [GeneratedRegex(@"^(no|nope|no thanks|reject|rejected|decline|drop it|don'?t|never ?mind)(\s+(it|that|this|the proposal|(the\s+)?(mission\s+)?(?<id>[A-Za-z0-9_-]{4,64})))?\s*[.!]*$", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex RejectCommand();

    /// <summary>"make it 10 pages", "change that to 2 minutes", "also on docs.example.org", "actually, make it urgent".</summary>
    [GeneratedRegex(@"^((actually|ok|okay|and|but)[, ]+)?((make|change|set|edit|update|limit|give)\s+(it|that|this|the proposal|the plan|the mission)\b|also\s+(on|use|read|include)\b|instead\b)", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex ReviseCommand();

    /// <summary>The work a proposal asks for: "draft a mission to summarize x.org" → "summarize x.org".</summary>
    public static string WithoutProposal(string message) => ProposalPrefix().Replace(message, "", 1) is { Length: > 0 } work ? work : message;

    /// <summary>"propose …", "draft a mission to …", "plan a mission: …" — work to be approved before it runs — and the words of asking so.</summary>
    [GeneratedRegex(@"^\s*(please\s+)?(propose|draft|plan)\b(\s+(a|the))?(\s+mission)?(\s*:|\s+to\b)?\s*", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex ProposalPrefix();


    [GeneratedRegex(@"https?://[^\s<>""'`]+", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?![\w-]|\.[a-z0-9])", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 250)]
    private static partial Regex DomainPattern();

    [GeneratedRegex(@"^\s*(hi|hello|hey|thanks|thank you|good (morning|afternoon|evening))\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex SmallTalk();
}
