using System.Globalization;

namespace Missions.Research;

/// <summary>
/// A site's <c>robots.txt</c> for one user agent (RFC 9309): the group naming the agent's product token, else
/// the <c>*</c> group; the longest matching rule decides, <c>Allow</c> winning a tie; <c>*</c> and <c>$</c>
/// patterns. Also its <c>Crawl-delay</c> and <c>Sitemap</c> lines.
/// </summary>
public sealed class RobotsRules
{
    /// <summary>What is read of a robots.txt: RFC 9309 asks parsers to read at least 500 KiB, and lets them stop there.</summary>
    public const int MaxChars = 500 * 1024;

    /// <summary>Sitemap lines kept (the agent reads a few).</summary>
    private const int MaxSitemaps = 20;

    private readonly List<Rule> _rules;

    private RobotsRules(List<Rule> rules, TimeSpan? crawlDelay, IReadOnlyList<string> sitemaps, string? unavailable = null, bool askAgainSoon = false)
    {
        _rules = rules;
        CrawlDelay = crawlDelay;
        Sitemaps = sitemaps;
        UnavailableBecause = unavailable;
        AskAgainSoon = askAgainSoon || unavailable is not null;
    }

    /// <summary>No robots.txt (or a 4xx for it): everything may be read.</summary>
    public static RobotsRules AllowAll { get; } = new([], null, []);

    /// <summary>robots.txt could not be fetched at all (a timeout, a dropped connection): nothing is known, so nothing
    /// is refused — the page's own request meets the same failure — but it is asked again soon, not kept for minutes.</summary>
    public static RobotsRules NotReached { get; } = new([], null, [], askAgainSoon: true);

    /// <summary>The rules say little for now (robots.txt unavailable or not reached): keep them seconds, not minutes.</summary>
    public bool AskAgainSoon { get; }

    /// <summary>robots.txt could not be read (a 5xx, a 429): nothing may be read until it can (RFC 9309 §2.3.1.4).</summary>
    public static RobotsRules Unavailable(string reason) => new([Rule.Of("/", false)], null, [], reason);

    /// <summary>Why robots.txt could not be read, when it could not: the site is off limits for now, which may pass.</summary>
    public string? UnavailableBecause { get; }

    public TimeSpan? CrawlDelay { get; }

    public IReadOnlyList<string> Sitemaps { get; }

    public static RobotsRules Parse(string text, string productToken)
    {
        var token = productToken.ToLowerInvariant();
        var groups = new List<Group>();
        var sitemaps = new List<string>();
        Group? current = null;
        var inAgentLines = false;
        if (text.Length > MaxChars)
        {
            var end = text.LastIndexOf('\n', MaxChars - 1);
            text = text[..(end > 0 ? end : MaxChars)];
        }
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split('#', 2)[0].Trim();
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }
            var key = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            if (key == "user-agent")
            {
                // Consecutive user-agent lines share one group.
                if (!inAgentLines || current is null)
                {
                    current = new Group();
                    groups.Add(current);
                }
                current.Agents.Add(value.ToLowerInvariant());
                inAgentLines = true;
                continue;
            }
            inAgentLines = false;
            if (key == "sitemap")
            {
                if (sitemaps.Count < MaxSitemaps && value.Length <= PageLimits.MaxUrlChars)
                {
                    sitemaps.Add(value);
                }
            }
            else if (current is not null && key is "allow" or "disallow" && value.Length > 0)
            {
                current.Rules.Add(Rule.Of(value, key == "allow"));
            }
            else if (current is not null && key == "crawl-delay"
                && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                current.Delay = TimeSpan.FromSeconds(Math.Min(seconds, 60));
            }
        }
        // Groups naming this agent are merged; without one, the "*" groups apply.
        var mine = groups.Where(g => g.Agents.Any(a => a != "*" && token.StartsWith(a, StringComparison.Ordinal))).ToList();
        if (mine.Count == 0)
        {
            mine = groups.Where(g => g.Agents.Contains("*")).ToList();
        }
        return new RobotsRules(mine.SelectMany(g => g.Rules).ToList(), mine.Select(g => g.Delay).FirstOrDefault(d => d is not null), sitemaps);
    }

    private sealed class Group
    {
        public List<string> Agents { get; } = [];
        public List<Rule> Rules { get; } = [];
        public TimeSpan? Delay { get; set; }
    }

    /// <summary>Whether the agent may fetch this path (with its query).</summary>
    public bool IsAllowed(string pathAndQuery)
    {
        var path = pathAndQuery.Length == 0 ? "/" : pathAndQuery;
        var best = -1;
        var allowed = true;
        if (path.Length > PageLimits.MaxUrlChars)
        {
            return false; // no page worth reading has such a path; not matching it keeps every check short
        }
        foreach (var rule in _rules)
        {
            if ((rule.Length > best || (rule.Length == best && rule.Allow)) && Matches(rule, path))
            {
                best = rule.Length;
                allowed = rule.Allow;
            }
        }
        return allowed;
    }

    /// <summary>
    /// A rule's pattern against a path: a prefix, where <c>*</c> is any run of characters and a final <c>$</c> ends
    /// the path. Matched segment by segment, each at its leftmost place after the last (which is exact for
    /// wildcards), so a rule costs one pass over the path whatever a hostile robots.txt puts in it.
    /// </summary>
    private static bool Matches(Rule rule, string path)
    {
        var segments = rule.Segments;
        if (!path.StartsWith(segments[0], StringComparison.Ordinal))
        {
            return false;
        }
        var at = segments[0].Length;
        if (segments.Length == 1)
        {
            return !rule.Anchored || at == path.Length;
        }
        for (var i = 1; i < segments.Length - 1; i++)
        {
            var found = path.IndexOf(segments[i], at, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }
            at = found + segments[i].Length;
        }
        var last = segments[^1];
        return rule.Anchored
            ? path.Length - last.Length >= at && path.EndsWith(last, StringComparison.Ordinal)
            : path.IndexOf(last, at, StringComparison.Ordinal) >= 0;
    }

    /// <summary>An <c>Allow</c> or <c>Disallow</c> line, its pattern cut at its wildcards once, when it is read.</summary>
    private sealed record Rule(int Length, bool Allow, string[] Segments, bool Anchored)
    {
        public static Rule Of(string pattern, bool allow)
        {
            var anchored = pattern.EndsWith('$');
            return new Rule(pattern.Length, allow, (anchored ? pattern[..^1] : pattern).Split('*'), anchored);
        }
    }
}
