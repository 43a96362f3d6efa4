using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;
using Missions.Execution;
using Missions.Telemetry;

namespace Missions.Research;

/// <summary>
/// The default executor (<c>web</c>): researches the mission's question on its allowed domains and answers it
/// with sources. It starts from the mission's URLs (else each allowed domain's root; from a root, also its sitemap),
/// reads pages best-first — the links whose words and URLs are closest to the question first, breadth-first
/// among equals — never off the allowed domains (redirects included), never a path robots.txt forbids, at most
/// <c>max_pages</c> pages within <c>max_duration_seconds</c>, spacing requests to a host. It ranks the pages'
/// passages against the question (BM25) and answers from the best, each with its source; a configured language
/// model may write the answer from the same passages. Every page read is a progress line on the mission, and
/// every fetch is kept by idempotency key, so a retried attempt reuses what an earlier one fetched.
/// </summary>
public sealed partial class ResearchAgent : IMissionExecutor, IDisposable
{
    public const string ExecutorName = "web";
    public const string FetchTool = "http_fetch";
    public const string SitemapTool = "sitemap";

    private static readonly TimeSpan RobotsFreshFor = TimeSpan.FromMinutes(10);

    /// <summary>Origins whose robots.txt is kept at once; past it, stale ones are forgotten first.</summary>
    public const int MaxOrigins = 1_000;
    private static readonly TimeSpan RobotsRetryAfter = TimeSpan.FromSeconds(30);
    private static readonly HashSet<string> BinaryExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico", ".bmp", ".pdf", ".zip", ".gz", ".tgz", ".tar",
        ".7z", ".rar", ".exe", ".msi", ".dmg", ".iso", ".bin", ".mp3", ".mp4", ".mov", ".avi", ".webm", ".wav",
        ".woff", ".woff2", ".ttf", ".otf", ".css", ".js", ".wasm", ".nupkg", ".jar", ".deb", ".rpm",
    };

    private readonly ExecutionOptions _options;
    private readonly WebFetcher _fetcher;
    private readonly ToolCallStore _store;
    private readonly LlmAnswerWriter _writer;
    private readonly ILogger<ResearchAgent> _logger;
    private readonly string _productToken;
    private readonly ConcurrentDictionary<string, (Task<RobotsRules> Rules, DateTime FreshUntil)> _robots = new(StringComparer.OrdinalIgnoreCase);

    public ResearchAgent(IOptions<ExecutionOptions> options, ToolCallStore store, LlmAnswerWriter writer, ILogger<ResearchAgent> logger)
    {
        _options = options.Value;
        _fetcher = new WebFetcher(_options);
        _store = store;
        _writer = writer;
        _logger = logger;
        _productToken = _options.UserAgent.Split('/', ' ')[0];
    }

    public string Name => ExecutorName;

    public async Task<ExecutionOutcome> ExecuteAsync(MissionWork work, CancellationToken cancellationToken)
    {
        var run = new Run(work, Terms.OfQuestion(work.Objective.Description));
        foreach (var start in StartUrls(work))
        {
            if (!DomainRules.IsAllowed(start, work.Constraints.AllowedDomains))
            {
                run.Errors.Add($"{start} is not on the allowed domains");
                run.PermanentErrors++;
            }
            else
            {
                run.Offer(start, double.MaxValue, depth: 0);
            }
        }
        try
        {
            foreach (var origin in run.RootsStartedFrom())
            {
                await DiscoverSitemapAsync(run, origin, cancellationToken);
            }
            while (run.PagesRead < work.Constraints.MaxPages && run.TryTakeNext(out var next, out var depth))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await ReadPageAsync(run, next, depth, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            run.OutOfTime = true;
        }
        return await AnswerAsync(run, cancellationToken);
    }

    /// <summary>One mission's reading: what is left to read, what was read, what went wrong.</summary>
    private sealed class Run(MissionWork work, IReadOnlyList<string> question)
    {
        private long _sequence;

        public MissionWork Work { get; } = work;
        public IReadOnlyList<string> Question { get; } = question;
        private PriorityQueue<Uri, (double Score, int Depth, long Sequence)> Frontier { get; } =
            new(Comparer<(double Score, int Depth, long Sequence)>.Create((a, b) =>
                a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Depth != b.Depth ? a.Depth.CompareTo(b.Depth) : a.Sequence.CompareTo(b.Sequence)));
        /// <summary>Every URL offered, with its best offer; a better offer later queues it again.</summary>
        private readonly Dictionary<string, (double Score, int Depth)> _offered = new(StringComparer.Ordinal);
        private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
        public List<PageContent> Pages { get; } = [];
        public List<string> Errors { get; } = [];
        public List<string> Notes { get; } = [];
        public SortedSet<string> Tools { get; } = new(StringComparer.Ordinal);
        public int PagesRead;
        public int PagesReused;
        public int TransientErrors;
        public int PermanentErrors;
        public int RobotsRefusals;
        public bool OutOfTime;
        private readonly List<Uri> _starts = [];

        public void Offer(Uri url, double score, int depth)
        {
            var clean = new UriBuilder(url) { Fragment = "" }.Uri;
            var key = Normalize(clean);
            if (_taken.Contains(key)
                || (_offered.Count >= PageLimits.MaxFrontier && !_offered.ContainsKey(key))
                || (_offered.TryGetValue(key, out var earlier) && (earlier.Score > score || (earlier.Score == score && earlier.Depth <= depth))))
            {
                return;
            }
            _offered[key] = (score, depth);
            if (depth == 0)
            {
                _starts.Add(clean);
            }
            Frontier.Enqueue(clean, (score, depth, _sequence++));
        }

        /// <summary>The best URL not read yet.</summary>
        public bool TryTakeNext(out Uri url, out int depth)
        {
            while (Frontier.TryDequeue(out url!, out var order))
            {
                if (_taken.Add(Normalize(url)))
                {
                    depth = order.Depth;
                    return true;
                }
            }
            depth = 0;
            return false;
        }

        /// <summary>Links found and not read.</summary>
        public int Unread => _offered.Count - _taken.Count;

        /// <summary>The sites whose root the reading starts from: their sitemaps are maps worth reading.</summary>
        public IEnumerable<Uri> RootsStartedFrom() =>
            _starts.Where(u => u.AbsolutePath == "/" && u.Query.Length == 0).Select(u => new Uri(u.GetLeftPart(UriPartial.Authority))).DistinctBy(u => u.ToString());

        /// <summary>Of the links seen so far, how many carried each term: a term on every link of a section says little.</summary>
        private readonly Dictionary<string, int> _linkTerms = new(StringComparer.Ordinal);
        private int _links;

        /// <summary>
        /// How near a link is to the question: each question term it carries, weighted by how rare that term is
        /// among the links seen so far (IDF), counting twice in the link's words and once in its URL.
        /// </summary>
        public double Relevance(string linkText, Uri url)
        {
            var inText = Terms.Of(linkText).ToHashSet();
            var inUrl = Terms.Of(Uri.UnescapeDataString(url.AbsolutePath + " " + url.Query)).ToHashSet();
            _links++;
            foreach (var term in inText.Union(inUrl))
            {
                _linkTerms[term] = _linkTerms.GetValueOrDefault(term) + 1;
            }
            var score = 0.0;
            foreach (var term in Question)
            {
                var weight = (inText.Contains(term) ? 2 : 0) + (inUrl.Contains(term) ? 1 : 0);
                if (weight > 0)
                {
                    score += weight * Math.Log(1 + (double)_links / _linkTerms[term]);
                }
            }
            return score;
        }
    }

    private static IEnumerable<Uri> StartUrls(MissionWork work)
    {
        var named = work.StartUrls.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri : null).OfType<Uri>().ToList();
        return named.Count > 0
            ? named
            : work.Constraints.AllowedDomains.Select(d => Uri.TryCreate($"https://{d}/", UriKind.Absolute, out var uri) ? uri : null).OfType<Uri>();
    }

    private async Task ReadPageAsync(Run run, Uri url, int depth, CancellationToken cancellationToken)
    {
        var work = run.Work;
        if (BinaryExtensions.Contains(Path.GetExtension(url.AbsolutePath)))
        {
            return; // not worth a page of the budget
        }
        var robots = await RobotsForAsync(url, cancellationToken);
        if (robots.UnavailableBecause is { } unavailable)
        {
            run.Errors.Add($"{url}: {unavailable}");
            run.TransientErrors++;
            return;
        }
        if (!robots.IsAllowed(url.PathAndQuery))
        {
            run.RobotsRefusals++;
            if (run.RobotsRefusals <= 3)
            {
                run.Notes.Add($"Not read: robots.txt of {url.Authority} forbids {url.PathAndQuery}.");
            }
            if (depth == 0)
            {
                run.Errors.Add($"{url}: robots.txt forbids it");
                run.PermanentErrors++;
            }
            return;
        }

        var key = ToolCallStore.KeyOf(work.MissionId, FetchTool, Normalize(url));
        run.PagesRead++;
        run.Tools.Add(FetchTool);
        ToolCall call;
        var page = await _store.TryGetAsync(work.MissionId, key, cancellationToken);
        if (page is not null)
        {
            run.PagesReused++;
            call = new ToolCall { Key = key, Tool = FetchTool, Url = url.ToString(), Outcome = ToolCall.Reused, Title = page.Title };
        }
        else
        {
            MissionsTelemetry.PagesFetched.Add(1);
            using var span = MissionsTelemetry.Source.StartActivity("mission.fetch");
            span?.SetTag("url.full", url.ToString());
            try
            {
                page = await FetchPageAsync(run, url, cancellationToken);
                await _store.PutAsync(work.MissionId, key, page, cancellationToken);
                call = new ToolCall
                {
                    Key = key, Tool = FetchTool, Url = url.ToString(), Title = page.Title,
                    Outcome = page.Reader is null ? ToolCall.Skipped : ToolCall.Fetched, Error = page.SkippedBecause,
                };
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
            {
                cancellationToken.ThrowIfCancellationRequested(); // the mission's time is up, not this page's
                var message = PageLimits.Clip(ex switch
                {
                    OperationCanceledException => $"timed out after {_options.RequestTimeoutSeconds} s",
                    HttpRequestException { InnerException: BlockedAddressException blocked } => blocked.Message,
                    _ => ex.Message,
                }, PageLimits.MaxMessageChars);
                run.Errors.Add($"{url}: {message}");
                span?.SetStatus(ActivityStatusCode.Error, message);
                if (IsTransient(ex))
                {
                    run.TransientErrors++;
                }
                else
                {
                    run.PermanentErrors++;
                }
                LogFetchFailed(_logger, work.MissionId, url, message);
                call = new ToolCall { Key = key, Tool = FetchTool, Url = url.ToString(), Outcome = ToolCall.Failed, Error = message };
            }
        }
        if (page?.Reader is { } reader)
        {
            run.Tools.Add(reader);
            run.Pages.Add(page);
            foreach (var link in page.Links)
            {
                if (Uri.TryCreate(link.Url, UriKind.Absolute, out var target) && DomainRules.IsAllowed(target, work.Constraints.AllowedDomains))
                {
                    run.Offer(target, run.Relevance(link.Text, target), depth + 1);
                }
            }
        }
        await ReportAsync(run, call);
    }

    /// <summary>Fetches and reads one page; an HTTP error status is thrown, an unreadable type is a skipped page.</summary>
    private async Task<PageContent> FetchPageAsync(Run run, Uri url, CancellationToken cancellationToken)
    {
        var allowed = run.Work.Constraints.AllowedDomains;
        var document = await _fetcher.GetAsync(url, hop => RefuseAsync(hop, allowed, cancellationToken), DelayFor, cancellationToken);
        if (!IsSuccess(document.Status))
        {
            throw new HttpRequestException($"HTTP {(int)document.Status} {document.Status}", null, document.Status);
        }
        if (document.Body is null || document.MediaType is "application/xml" or "text/xml")
        {
            return new PageContent { Url = document.Url.ToString(), Title = document.Url.ToString(), SkippedBecause = $"{document.MediaType} is not a readable page" };
        }
        return WebFetcher.IsHtml(document.MediaType)
            ? PageReader.ReadHtml(document.Url, document.Body, cancellationToken)
            : PageReader.ReadText(document.Url, document.Body, cancellationToken);
    }

    /// <summary>Why a redirect may not be followed, or null: it must stay on the allowed domains and be allowed by robots.txt.</summary>
    private async Task<string?> RefuseAsync(Uri hop, IReadOnlyList<string> allowed, CancellationToken cancellationToken)
    {
        if (!DomainRules.IsAllowed(hop, allowed))
        {
            return "is not on the allowed domains";
        }
        // Mid-request (this host's turn is held): a kept robots.txt is used even if due for a refresh, so the
        // check never waits for a turn of the host it is on.
        return (await RobotsForAsync(hop, cancellationToken, allowStale: true)).IsAllowed(hop.PathAndQuery) ? null : "robots.txt forbids";
    }

    private TimeSpan DelayFor(Uri url)
    {
        var configured = TimeSpan.FromMilliseconds(_options.PolitenessDelayMilliseconds);
        return _robots.TryGetValue(url.GetLeftPart(UriPartial.Authority), out var cached)
            && cached.Rules.IsCompletedSuccessfully && cached.Rules.Result.CrawlDelay is { } crawlDelay && crawlDelay > configured
            ? crawlDelay
            : configured;
    }

    /// <summary>A site's robots.txt, read once per origin and kept for ten minutes (thirty seconds when it could not be read).</summary>
    private async Task<RobotsRules> RobotsForAsync(Uri url, CancellationToken cancellationToken, bool allowStale = false)
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
        if (rules.UnavailableBecause is not null)
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
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.RequestTimeoutSeconds));
            var document = await _fetcher.GetAsync(robotsUrl,
                hop => Task.FromResult(hop.Authority == robotsUrl.Authority ? null : "is on another host"),
                _ => TimeSpan.FromMilliseconds(_options.PolitenessDelayMilliseconds), timeout.Token);
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
            LogRobotsUnreadable(_logger, robotsUrl, ex.Message);
            return RobotsRules.AllowAll;
        }
    }

    /// <summary>Adds the pages a site's sitemaps list (robots.txt's Sitemap lines, else /sitemap.xml) as candidates.</summary>
    private async Task DiscoverSitemapAsync(Run run, Uri origin, CancellationToken cancellationToken)
    {
        var robots = await RobotsForAsync(origin, cancellationToken);
        var queue = new Queue<Uri>(AllowedUris(robots.Sitemaps, run).Take(3));
        if (queue.Count == 0)
        {
            queue.Enqueue(new Uri(origin, "/sitemap.xml"));
        }
        for (var read = 0; queue.TryDequeue(out var sitemap) && read < 4; read++)
        {
            if (!robots.IsAllowed(sitemap.PathAndQuery))
            {
                continue;
            }
            var key = ToolCallStore.KeyOf(run.Work.MissionId, SitemapTool, Normalize(sitemap));
            var listing = await _store.TryGetAsync(run.Work.MissionId, key, cancellationToken);
            if (listing is null)
            {
                try
                {
                    var document = await _fetcher.GetAsync(sitemap,
                        hop => RefuseAsync(hop, run.Work.Constraints.AllowedDomains, cancellationToken), DelayFor, cancellationToken);
                    if (!IsSuccess(document.Status) || document.Body is null)
                    {
                        continue; // most sites have none
                    }
                    var (pages, children) = SitemapReader.Parse(document.Body);
                    listing = new PageContent
                    {
                        Url = sitemap.ToString(), Title = "sitemap", Reader = SitemapTool,
                        Links = pages.Select(p => new PageLink(p, "")).ToList(),
                        Sitemaps = children,
                    };
                    await _store.PutAsync(run.Work.MissionId, key, listing, cancellationToken);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    continue; // a sitemap is a hint, not a page: its failure costs nothing
                }
            }
            run.Tools.Add(SitemapTool);
            foreach (var child in AllowedUris(listing.Sitemaps, run))
            {
                queue.Enqueue(child);
            }
            foreach (var target in AllowedUris(listing.Links.Select(l => l.Url), run))
            {
                // Behind the start page's own links when equally relevant: those say more than a URL does.
                run.Offer(target, run.Relevance("", target), depth: 2);
            }
        }
    }

    private static IEnumerable<Uri> AllowedUris(IEnumerable<string> urls, Run run) =>
        urls.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri : null).OfType<Uri>()
            .Where(u => DomainRules.IsAllowed(u, run.Work.Constraints.AllowedDomains));

    private async Task ReportAsync(Run run, ToolCall call)
    {
        if (run.Work.Progress is not { } progress)
        {
            return;
        }
        try
        {
            await progress.PageReadAsync(run.PagesRead, call);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogProgressLost(_logger, ex, run.Work.MissionId); // progress is a view; the work goes on
        }
    }

    private async Task<ExecutionOutcome> AnswerAsync(Run run, CancellationToken cancellationToken)
    {
        var work = run.Work;
        var budgetSpent = !run.OutOfTime && run.PagesRead >= work.Constraints.MaxPages && run.Unread > 0;
        if (run.RobotsRefusals > 3)
        {
            run.Notes.Add($"robots.txt forbade {run.RobotsRefusals} pages in all.");
        }
        if (run.Pages.Count == 0)
        {
            return new ExecutionOutcome
            {
                Result = new ExecutionResult { Success = false, ToolsUsed = [.. run.Tools], PagesFetched = run.PagesRead, PagesReused = run.PagesReused, Notes = run.Notes },
                // Worth another attempt only when every failure may pass.
                Transient = run.TransientErrors > 0 && run.PermanentErrors == 0 && !cancellationToken.IsCancellationRequested,
                Error = run.Errors.Count > 0 ? "No page could be read: " + string.Join("; ", run.Errors.Take(5))
                    : cancellationToken.IsCancellationRequested ? "Stopped before any page was read."
                    : run.PagesRead > 0 ? "The pages read had no text to answer from."
                    : "There was nothing to read: the mission names no URL or domain, or robots.txt forbids them.",
            };
        }

        var ranked = ExtractiveAnswer.Rank(run.Pages, run.Question);
        var matched = run.Question.Count > 0 ? "the passages that best match the question" : "what the pages say";
        string answer;
        var written = _writer.IsConfigured && !cancellationToken.IsCancellationRequested
            ? await _writer.WriteAsync(work.Objective.Description, ranked, run.Pages,
                Preface(run, budgetSpent, "an answer written by the language model from the best passages"), cancellationToken)
            : null;
        if (written is { Answer: { } text })
        {
            answer = text;
            run.Tools.Add(LlmAnswerWriter.ToolName);
        }
        else
        {
            if (written?.Failure is { } failure)
            {
                run.Notes.Add($"The language model could not write the answer ({failure}); this answer is quoted from the pages.");
            }
            answer = ExtractiveAnswer.Compose(ranked, run.Pages, Preface(run, budgetSpent, matched));
        }
        if (run.Errors.Count > 0)
        {
            run.Notes.Add($"{run.Errors.Count} page(s) could not be read: " + string.Join("; ", run.Errors.Take(3)));
        }
        return new ExecutionOutcome
        {
            Result = new ExecutionResult
            {
                Success = true,
                FinalAnswer = answer,
                ToolsUsed = [.. run.Tools],
                Sources = run.Pages.Select(p => new PageSource { Url = p.Url, Title = p.Title }).ToList(),
                PagesFetched = run.PagesRead,
                PagesReused = run.PagesReused,
                Notes = run.Notes,
            },
            BudgetExhausted = budgetSpent,
        };
    }

    private static string Preface(Run run, bool budgetSpent, string matched)
    {
        var read = $"{run.Pages.Count} {(run.Pages.Count == 1 ? "page" : "pages")}";
        return run.OutOfTime && run.Work.WasCancelledByRequest
            ? $"Partial answer: the mission was cancelled after reading {read}. From {matched}:"
            : run.OutOfTime
            ? $"Partial answer: the time budget ran out after reading {read}. From {matched}:"
            : budgetSpent
                ? $"Partial answer: the page budget ({run.Work.Constraints.MaxPages}) was spent with {run.Unread} more links unread. From {read}, {matched}:"
                : $"From {read}, {matched}:";
    }

    private static bool IsSuccess(HttpStatusCode status) => (int)status is >= 200 and < 300;

    /// <summary>
    /// Network errors, 5xx answers, 429 and request timeouts may pass; a 4xx, a name that does not resolve, a
    /// refused address or redirect, or too many redirects will not.
    /// </summary>
    private static bool IsTransient(Exception ex) => ex switch
    {
        OperationCanceledException => true,
        HttpRequestException { StatusCode: { } status } => (int)status >= 500 || status == HttpStatusCode.RequestTimeout || (int)status == 429,
        HttpRequestException { InnerException: BlockedAddressException } => false,
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => false,
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded or HttpRequestError.Unknown } h
            => h.InnerException is not null,
        IOException => true,
        _ => false,
    };

    private static string Normalize(Uri url) => url.GetComponents(UriComponents.HttpRequestUrl & ~UriComponents.Fragment, UriFormat.UriEscaped);

    public void Dispose() => _fetcher.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Mission {MissionId} could not fetch {Url}: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string missionId, Uri url, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "robots.txt at {Url} could not be reached ({Reason}); the pages' own requests will say why")]
    private static partial void LogRobotsUnreadable(ILogger logger, Uri url, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mission {MissionId}: a progress line could not be recorded")]
    private static partial void LogProgressLost(ILogger logger, Exception ex, string missionId);
}
