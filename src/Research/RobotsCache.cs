using System.Collections.Concurrent;
using Missions.Execution;

namespace Missions.Research;

/// <summary>
/// The robots.txt rules of the origins missions read (RFC 9309), shared by every mission of the process: read once per
/// origin and kept ten minutes (thirty seconds when it could not be read), at most <see cref="MaxOrigins"/> origins.
/// </summary>
public sealed partial class RobotsCache(WebFetcher fetcher, ExecutionOptions options, ILogger logger)
{
    /// <summary>Origins whose robots.txt is kept at once; past it, stale ones are forgotten first.</summary>
    public const int MaxOrigins = 1_000;

    private static readonly TimeSpan RobotsFreshFor = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RobotsRetryAfter = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (Task<RobotsRules> Rules, DateTime FreshUntil)> _robots = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _productToken = options.UserAgent.Split('/', ' ')[0];

    /// <summary>The least time between two requests to the URL's host: the configured delay, or the site's <c>Crawl-delay</c> when longer.</summary>
    public TimeSpan DelayFor(Uri url)
    {
        var configured = TimeSpan.FromMilliseconds(options.PolitenessDelayMilliseconds);
        return _robots.TryGetValue(url.GetLeftPart(UriPartial.Authority), out var cached)
            && cached.Rules.IsCompletedSuccessfully && cached.Rules.Result.CrawlDelay is { } crawlDelay && crawlDelay > configured
            ? crawlDelay
            : configured;
    }

    /// <summary>A site's robots.txt, read once per origin and kept for ten minutes (thirty seconds when it could not be read).</summary>
    public async Task<RobotsRules> ForAsync(Uri url, CancellationToken cancellationToken, bool allowStale = false)
    {
        var origin = url.GetLeftPart(UriPartial.Authority);
        var now = DateTime.UtcNow;
        if (_robots.TryGetValue(origin, out var cached) && (cached.FreshUntil > now || (allowStale && cached.Rules.IsCompletedSuccessfully))
            && !cached.Rules.IsFaulted && !cached.Rules.IsCanceled)
        {
            return await cached.Rules.WaitAsync(cancellationToken);
        }
        if (_robots.Count >= MaxOrigins)
        {
            ForgetStaleRobots(now);
        }
        var fetch = FetchRobotsAsync(new Uri(origin + "/robots.txt"));
        _robots[origin] = (fetch, now + RobotsFreshFor);
        var rules = await fetch.WaitAsync(cancellationToken);
        if (rules.AskAgainSoon)
        {
            _robots[origin] = (fetch, now + RobotsRetryAfter);
        }
        return rules;
    }

    /// <summary>Drops robots.txt rules past their freshness; if every one is fresh, the oldest half (they are read again when needed).</summary>
    private void ForgetStaleRobots(DateTime now)
    {
        var entries = _robots.ToArray();
        var stale = entries.Where(e => e.Value.FreshUntil <= now).ToList();
        if (stale.Count < entries.Length / 4)
        {
            stale = entries.Where(e => e.Value.Rules.IsCompleted).OrderBy(e => e.Value.FreshUntil).Take(entries.Length / 2).ToList();
        }
        foreach (var entry in stale)
        {
            _robots.TryRemove(entry);
        }
    }

    /// <summary>
    /// RFC 9309: a 4xx means no rules; a 5xx means nothing may be read for now. When the host cannot be reached at
    /// all, the page's own request meets the same failure and reports it, so that case is left to it.
    /// </summary>
    private async Task<RobotsRules> FetchRobotsAsync(Uri robotsUrl)
    {
        try
        {
            // Not tied to one mission's token: other missions may be waiting on the same robots.txt.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.RequestTimeoutSeconds));
            var document = await fetcher.GetAsync(robotsUrl,
                hop => Task.FromResult(hop.Authority == robotsUrl.Authority ? null : "is on another host"),
                _ => TimeSpan.FromMilliseconds(options.PolitenessDelayMilliseconds), timeout.Token);
            var status = (int)document.Status;
            return status switch
            {
                >= 200 and < 300 => RobotsRules.Parse(document.Body ?? "", _productToken),
                >= 400 and < 500 and not 429 => RobotsRules.AllowAll,
                _ => RobotsRules.Unavailable($"its robots.txt answered HTTP {status}, so the site is not read for now"),
            };
        }
        catch (RedirectRefusedException)
        {
            return RobotsRules.AllowAll; // robots.txt on another host says nothing about this one
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            LogRobotsUnreadable(logger, robotsUrl, ex.Message);
            return RobotsRules.NotReached;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "robots.txt at {Url} could not be reached ({Reason}); the pages' own requests will say why")]
    private static partial void LogRobotsUnreadable(ILogger logger, Uri url, string reason);
}
