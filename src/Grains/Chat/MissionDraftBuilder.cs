using System.Globalization;
using System.Text.RegularExpressions;

namespace Missions.Chat;

/// <summary>
/// Turns an actionable message into a mission draft. Domains named or linked become <c>allowed_domains</c>
/// (at most <see cref="MaxDomains"/>); "up to N pages" (also "N pages", "max N pages") sets <c>max_pages</c>
/// (default 5, at most 50); "within N seconds/minutes" (also "in N min", "N-minute") sets <c>max_duration_seconds</c>
/// (default 60, from 5 s to 1 hour); "urgent"/"asap" make it high priority, "no rush"/"low priority" low.
/// </summary>
public static partial class MissionDraftBuilder
{
    public const int MaxDomains = 10;
    public const int MinDurationSeconds = 5;

    public static MissionDraft Build(string sessionId, string message, Intent intent, string? clientMessageId, MissionPriority? priority = null, bool requiresApproval = false)
    {
        var text = message.Trim();
        return new MissionDraft
        {
            SessionId = sessionId,
            Objective = new Objective { Type = intent.ObjectiveType, Description = text.Length > 500 ? text[..500] + "…" : text },
            Constraints = new MissionConstraints
            {
                AllowedDomains = intent.Domains.Take(MaxDomains).ToList(),
                MaxPages = MaxPagesIn(text),
                MaxDurationSeconds = MaxDurationIn(text),
            },
            StartUrls = intent.Urls.Take(MissionConstraints.MaxMaxPages).Select(u => u.ToString()).ToList(),
            SourceMessage = message,
            ClientMessageId = clientMessageId,
            Priority = priority ?? PriorityIn(text),
            RequiresApproval = requiresApproval,
        };
    }

    /// <summary>The change a message asks of a proposal: only what it names (pages, time, priority, sites).</summary>
    public static MissionRevision RevisionIn(string message, Intent intent)
    {
        var text = message.Trim();
        return new MissionRevision
        {
            MaxPages = PagesPattern().IsMatch(text) ? MaxPagesIn(text) : null,
            MaxDurationSeconds = DurationPattern().IsMatch(text) ? MaxDurationIn(text) : null,
            Priority = LowPriority().IsMatch(text) ? MissionPriority.Low
                : HighPriority().IsMatch(text) ? MissionPriority.High
                : NormalPriority().IsMatch(text) ? MissionPriority.Normal
                : null,
            AddDomains = intent.Domains.Take(MaxDomains).ToList(),
            AddStartUrls = intent.Urls.Take(MissionConstraints.MaxMaxPages).Select(u => u.ToString()).ToList(),
            Message = text.Length > 500 ? text[..500] + "…" : text,
        };
    }

    [GeneratedRegex(@"\b(normal[- ]priority|not urgent after all)\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex NormalPriority();

    /// <summary>"urgent", "asap", "high priority", "right away" → high; "low priority", "no rush", "whenever" → low.</summary>
    public static MissionPriority PriorityIn(string text) =>
        LowPriority().IsMatch(text) ? MissionPriority.Low
        : HighPriority().IsMatch(text) ? MissionPriority.High
        : MissionPriority.Normal;

    [GeneratedRegex(@"\b(urgent(ly)?|asap|high[- ]priority|right away|immediately|top priority)\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex HighPriority();

    [GeneratedRegex(@"\b(low[- ]priority|no rush|whenever|when you have time|not urgent)\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex LowPriority();

    public static int MaxPagesIn(string text)
    {
        var match = PagesPattern().Match(text);
        return match.Success && int.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? Math.Clamp(n, 1, MissionConstraints.MaxMaxPages)
            : MissionConstraints.DefaultMaxPages;
    }

    public static int MaxDurationIn(string text)
    {
        var match = DurationPattern().Match(text);
        if (!match.Success || !int.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return MissionConstraints.DefaultMaxDurationSeconds;
        }
        var unit = match.Groups["unit"].Value.ToLowerInvariant();
        var seconds = unit.StartsWith('h') ? n * 3600L : unit.StartsWith('m') ? n * 60L : n;
        return (int)Math.Clamp(seconds, MinDurationSeconds, MissionConstraints.MaxMaxDurationSeconds);
    }

    [GeneratedRegex(@"(?:up\s+to|max(?:imum)?|at\s+most|no\s+more\s+than|limit(?:ed)?\s+to)?\s*(?<n>\d{1,6})\s*(?:web\s*)?pages?\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex PagesPattern();

    [GeneratedRegex(@"(?:within|in|under|max(?:imum)?|at\s+most|for)\s+(?<n>\d{1,6})\s*-?\s*(?<unit>seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b|(?<n>\d{1,6})\s*-\s*(?<unit>second|minute|hour)\b", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex DurationPattern();
}
