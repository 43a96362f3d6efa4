using System.Globalization;

namespace Missions.Research;

/// <summary>
/// A site's <c>robots.txt</c> for one user agent (RFC 9309): the group naming the agent's product token, else
/// the <c>*</c> group; the longest matching rule decides, <c>Allow</c> winning a tie; <c>*</c> and <c>$</c>
/// patterns. Also its <c>Crawl-delay</c> and <c>Sitemap</c> lines.
/// </summary>
public sealed class RobotsRules
{
    private readonly List<(string Pattern, bool Allow)> _rules;

    private RobotsRules(List<(string, bool)> rules, TimeSpan? crawlDelay, IReadOnlyList<string> sitemaps, string? unavailable = null)
    {
        _rules = rules;
        CrawlDelay = crawlDelay;
        Sitemaps = sitemaps;
        UnavailableBecause = unavailable;
    }

    /// <summary>No robots.txt (or a 4xx for it): everything may be read.</summary>
    public static RobotsRules AllowAll { get; } = new([], null, []);

    /// <summary>robots.txt could not be read (a 5xx, a 429): nothing may be read until it can (RFC 9309 §2.3.1.4).</summary>
    public static RobotsRules Unavailable(string reason) => new([("/", false)], null, [], reason);

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
                sitemaps.Add(value);
            }
            else if (current is not null && key is "allow" or "disallow" && value.Length > 0)
            {
                current.Rules.Add((value, key == "allow"));
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
        public List<(string, bool)> Rules { get; } = [];
        public TimeSpan? Delay { get; set; }
    }

    /// <summary>Whether the agent may fetch this path (with its query).</summary>
    public bool IsAllowed(string pathAndQuery)
    {
        var path = pathAndQuery.Length == 0 ? "/" : pathAndQuery;
        var best = -1;
        var allowed = true;
        foreach (var (pattern, allow) in _rules)
        {
            if (Matches(pattern, path) && (pattern.Length > best || (pattern.Length == best && allow)))
            {
                best = pattern.Length;
                allowed = allow;
            }
        }
        return allowed;
    }

    /// <summary>A rule's pattern against a path: a prefix, where <c>*</c> is any run of characters and a final <c>$</c> ends the path.</summary>
    private static bool Matches(string pattern, string path)
    {
        var anchored = pattern.EndsWith('$');
        if (anchored)
        {
            pattern = pattern[..^1];
        }
        return Match(pattern, 0, path, 0, anchored);
    }

    /// <summary>Wildcard matching in O(pattern × path), so a hostile robots.txt cannot make it backtrack for ever.</summary>
    private static bool Match(string pattern, int p, string path, int s, bool anchored)
    {
        // reachable[j]: the pattern so far can end just before path[j].
        var reachable = new bool[path.Length + 1];
        reachable[s] = true;
        for (; p < pattern.Length; p++)
        {
            var next = new bool[path.Length + 1];
            if (pattern[p] == '*')
            {
                var any = false;
                for (var j = 0; j <= path.Length; j++)
                {
                    any |= reachable[j];
                    next[j] = any;
                }
            }
            else
            {
                for (var j = 0; j < path.Length; j++)
                {
                    next[j + 1] = reachable[j] && path[j] == pattern[p];
                }
            }
            reachable = next;
        }
        return anchored ? reachable[path.Length] : reachable.Any(r => r);
    }
}
