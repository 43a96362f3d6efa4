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
/// Its parts: <see cref="CrawlFrontier"/> (what to read next), <see cref="RobotsCache"/> and <see cref="WebFetcher"/>
/// (robots.txt, politeness, the network), <see cref="PageReader"/> (what a page says), <c>ResearchAnswer</c> (the answer).
/// </summary>
public sealed partial class ResearchAgent : IMissionExecutor, IDisposable
{
    public const string ExecutorName = ExecutionOptions.ResearchExecutor;
    public const string FetchTool = "http_fetch";
    public const string SitemapTool = "sitemap";

    private static readonly HashSet<string> BinaryExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico", ".bmp", ".pdf", ".zip", ".gz", ".tgz", ".tar",
        ".7z", ".rar", ".exe", ".msi", ".dmg", ".iso", ".bin", ".mp3", ".mp4", ".mov", ".avi", ".webm", ".wav",
        ".woff", ".woff2", ".ttf", ".otf", ".css", ".js", ".wasm", ".nupkg", ".jar", ".deb", ".rpm",
    };

    private readonly ExecutionOptions _options;
    private readonly WebFetcher _fetcher;
    private readonly IToolCallStore _store;
    private readonly ResearchAnswer _answer;
    private readonly ILogger<ResearchAgent> _logger;
    private readonly RobotsCache _robots;

    private readonly SemanticMatcher _semantic;
    private readonly LlmLinkChooser? _chooser;

    public ResearchAgent(IOptions<ExecutionOptions> options, IToolCallStore store, LlmAnswerWriter writer, ILogger<ResearchAgent> logger,
        SemanticMatcher? semantic = null, LlmLinkChooser? chooser = null)
    {
        _semantic = semantic ?? SemanticMatcher.Off;
        _chooser = chooser is { IsConfigured: true } ? chooser : null;
        _options = options.Value;
        _fetcher = new WebFetcher(_options);
        _store = store;
        _answer = new ResearchAnswer(writer, _semantic);
        _logger = logger;
        _robots = new RobotsCache(_fetcher, _options, logger);
    }

    public string Name => ExecutorName;

    public async Task<ExecutionOutcome> ExecuteAsync(MissionWork work, CancellationToken cancellationToken)
    {
        var run = new ResearchRun(work, Terms.OfQuestion(work.Objective.Description));
        foreach (var start in StartUrls(work))
        {
            if (!DomainRules.IsAllowed(start, work.Constraints.AllowedDomains))
            {
                run.Errors.Add($"{start} is not on the allowed domains");
                run.PermanentErrors++;
            }
            else
            {
                run.Frontier.OfferStart(start);
            }
        }
        try
        {
            foreach (var origin in run.Frontier.RootsStartedFrom())
            {
                await DiscoverSitemapAsync(run, origin, cancellationToken);
            }
            while (run.PagesRead < work.Constraints.MaxPages)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await ChooseNextAsync(run, cancellationToken);
                if (!run.Frontier.TryTakeNext(out var next, out var depth))
                {
                    break;
                }
                await ReadPageAsync(run, next, depth, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            run.OutOfTime = true;
        }
        return await _answer.ComposeAsync(run, cancellationToken);
    }

    private static IEnumerable<Uri> StartUrls(MissionWork work)
    {
        var named = work.StartUrls.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri : null).OfType<Uri>().ToList();
        return named.Count > 0
            ? named
            : work.Constraints.AllowedDomains.Select(d => Uri.TryCreate($"https://{d}/", UriKind.Absolute, out var uri) ? uri : null).OfType<Uri>();
    }

    private async Task ReadPageAsync(ResearchRun run, Uri url, int depth, CancellationToken cancellationToken)
    {
        var work = run.Work;
        if (BinaryExtensions.Contains(Path.GetExtension(url.AbsolutePath)))
        {
            return; // not worth a page of the budget
        }
        var robots = await _robots.ForAsync(url, cancellationToken);
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

        var key = ToolCallStore.KeyOf(work.MissionId, FetchTool, CrawlFrontier.KeyOf(url));
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
                var message = PlainText.Clip(ex switch
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
            var offered = page.Links
                .Where(l => Uri.TryCreate(l.Url, UriKind.Absolute, out var target) && DomainRules.IsAllowed(target, work.Constraints.AllowedDomains))
                .ToList();
            run.Frontier.OfferLinks(url, offered, depth + 1);
            run.Frontier.Learn(run.Feedback.Read(page));
            // A page that neither answers nor maps further pages (a table of contents) was a miss for the words that led to it.
            run.Frontier.Read(url, answered: run.Feedback.LastPageAnswered || offered.Count(l => !l.Chrome) >= 4);
            await JudgeLinksAsync(run, offered, cancellationToken);
        }
        await ReportAsync(run, call);
    }

    /// <summary>Fetches and reads one page; an HTTP error status is thrown, an unreadable type is a skipped page.</summary>
    private async Task<PageContent> FetchPageAsync(ResearchRun run, Uri url, CancellationToken cancellationToken)
    {
        var allowed = run.Work.Constraints.AllowedDomains;
        var document = await _fetcher.GetAsync(url, hop => RefuseAsync(hop, allowed, cancellationToken), _robots.DelayFor, cancellationToken);
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
        return (await _robots.ForAsync(hop, cancellationToken, allowStale: true)).IsAllowed(hop.PathAndQuery) ? null : "robots.txt forbids";
    }

    /// <summary>Adds the pages a site's sitemaps list (robots.txt's Sitemap lines, else /sitemap.xml) as candidates.</summary>
    private async Task DiscoverSitemapAsync(ResearchRun run, Uri origin, CancellationToken cancellationToken)
    {
        var robots = await _robots.ForAsync(origin, cancellationToken);
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
            var key = ToolCallStore.KeyOf(run.Work.MissionId, SitemapTool, CrawlFrontier.KeyOf(sitemap));
            var listing = await _store.TryGetAsync(run.Work.MissionId, key, cancellationToken);
            if (listing is null)
            {
                try
                {
                    var document = await _fetcher.GetAsync(sitemap,
                        hop => RefuseAsync(hop, run.Work.Constraints.AllowedDomains, cancellationToken), _robots.DelayFor, cancellationToken);
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
                run.Frontier.OfferListed(target, depth: 2);
            }
        }
    }

    private static IEnumerable<Uri> AllowedUris(IEnumerable<string> urls, ResearchRun run) =>
        urls.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri : null).OfType<Uri>()
            .Where(u => DomainRules.IsAllowed(u, run.Work.Constraints.AllowedDomains));

    private async Task ReportAsync(ResearchRun run, ToolCall call)
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

    public void Dispose() => _fetcher.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Mission {MissionId} could not fetch {Url}: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string missionId, Uri url, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mission {MissionId}: a progress line could not be recorded")]
    private static partial void LogProgressLost(ILogger logger, Exception ex, string missionId);

    /// <summary>Links a sentence model judges per page at most: the page's first content links not judged before.</summary>
    private const int LinksJudgedPerPage = 24;

    /// <summary>
    /// With a language model, it picks the next page among the frontier's best (once the mission's own pages are read);
    /// after a failure the mission goes by the words alone and says so.
    /// </summary>
    private async Task ChooseNextAsync(ResearchRun run, CancellationToken cancellationToken)
    {
        if (_chooser is null || run.ChooserFailed || run.Pages.Count == 0)
        {
            return;
        }
        var choice = await _chooser.ChooseAsync(run.Work.Objective.Description, [.. run.Pages.Select(p => p.Title)], run.Frontier, cancellationToken);
        if (choice.Chose)
        {
            run.Tools.Add(LlmLinkChooser.ToolName);
        }
        else if (choice.Failure is { } failure)
        {
            run.ChooserFailed = true;
            run.Notes.Add($"The language model could not choose the links to read ({failure}); they were chosen by their words.");
        }
    }

    /// <summary>
    /// A sentence model's view of the page's new content links (their words): how near each
    /// is to the question, one signal the frontier weighs with the others. No model, no view.
    /// </summary>
    private async Task JudgeLinksAsync(ResearchRun run, IReadOnlyList<PageLink> links, CancellationToken cancellationToken)
    {
        if (!_semantic.Enabled)
        {
            return;
        }
        var judged = run.Frontier.Unjudged(links).DistinctBy(l => l.Url).Take(LinksJudgedPerPage).ToList();
        var similarities = await _semantic.SimilaritiesAsync(run.Subject, [.. judged.Select(l => l.Text)], cancellationToken);
        for (var i = 0; similarities is not null && i < judged.Count; i++)
        {
            run.Frontier.SetSimilarity(judged[i].Url, similarities[i]);
        }
    }
}
