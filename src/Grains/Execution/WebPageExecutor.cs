using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Microsoft.Extensions.Options;
using Missions.Telemetry;

namespace Missions.Execution;

/// <summary>
/// The default executor: reads the pages a mission names (else the root of each allowed domain), then follows
/// links breadth-first, only within the allowed domains (redirects included), at most <c>max_pages</c> pages,
/// and answers with each page's title and a readable excerpt.
/// </summary>
public sealed partial class WebPageExecutor : IMissionExecutor, IDisposable
{
    public const string ExecutorName = "web";
    private const int MaxRedirects = 5;
    private const int ExcerptLength = 400;

    private readonly HttpClient _http;
    private readonly ExecutionOptions _options;
    private readonly ILogger<WebPageExecutor> _logger;

    public WebPageExecutor(IOptions<ExecutionOptions> options, ILogger<WebPageExecutor> logger)
    {
        _options = options.Value;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(Math.Min(10, _options.RequestTimeoutSeconds)),
            ConnectCallback = NetworkGuard.ConnectCallback(_options.AllowPrivateNetworks),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(_options.UserAgent);
        _http.DefaultRequestHeaders.Accept.ParseAdd("text/html, text/plain;q=0.9, text/markdown;q=0.9, */*;q=0.1");
    }

    public string Name => ExecutorName;

    public async Task<ExecutionOutcome> ExecuteAsync(MissionWork work, CancellationToken cancellationToken)
    {
        var allowed = work.Constraints.AllowedDomains;
        var frontier = new Queue<Uri>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var refused = new List<string>();
        foreach (var start in StartUrls(work))
        {
            if (!DomainRules.IsAllowed(start, allowed))
            {
                refused.Add($"{start} is not on the allowed domains");
            }
            else if (seen.Add(Normalize(start)))
            {
                frontier.Enqueue(start);
            }
        }

        var pages = new List<Page>();
        var errors = new List<string>(refused);
        var fetched = 0;
        int transientErrors = 0, permanentErrors = refused.Count;
        var tools = new SortedSet<string>(StringComparer.Ordinal);
        while (frontier.Count > 0 && fetched < work.Constraints.MaxPages && !cancellationToken.IsCancellationRequested)
        {
            var url = frontier.Dequeue();
            fetched++;
            tools.Add("http_fetch");
            MissionsTelemetry.PagesFetched.Add(1);
            using var span = MissionsTelemetry.Source.StartActivity("mission.fetch");
            span?.SetTag("url.full", url.ToString());
            try
            {
                var page = await FetchAsync(url, allowed, cancellationToken);
                if (page is null)
                {
                    continue;
                }
                tools.Add(page.Reader);
                pages.Add(page);
                foreach (var link in page.Links)
                {
                    if (DomainRules.IsAllowed(link, allowed) && seen.Add(Normalize(link)))
                    {
                        frontier.Enqueue(link);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or InvalidOperationException)
            {
                var message = ex switch
                {
                    OperationCanceledException => $"timed out after {_options.RequestTimeoutSeconds} s",
                    HttpRequestException { InnerException: BlockedAddressException blocked } => blocked.Message,
                    _ => ex.Message,
                };
                errors.Add($"{url}: {message}");
                span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, message);
                if (IsTransient(ex))
                {
                    transientErrors++;
                }
                else
                {
                    permanentErrors++;
                }
                LogFetchFailed(_logger, work.MissionId, url, message);
            }
        }

        var result = new ExecutionResult
        {
            Success = pages.Count > 0,
            FinalAnswer = Compose(pages, cancellationToken.IsCancellationRequested, frontier.Count > 0 && fetched >= work.Constraints.MaxPages),
            ToolsUsed = [.. tools],
            Sources = pages.Select(p => new PageSource { Url = p.Url.ToString(), Title = p.Title }).ToList(),
            PagesFetched = fetched,
        };
        return new ExecutionOutcome
        {
            Result = result,
            // Worth another attempt only when nothing was read and every failure may pass.
            Transient = pages.Count == 0 && transientErrors > 0 && permanentErrors == 0 && !cancellationToken.IsCancellationRequested,
            Error = pages.Count > 0 ? null
                : errors.Count > 0 ? "No page could be read: " + string.Join("; ", errors.Take(5))
                : cancellationToken.IsCancellationRequested ? "Stopped before any page was read."
                : "There was nothing to read: the mission names no URL or domain.",
        };
    }

    /// <summary>
    /// Network errors, 5xx answers and request timeouts may pass; a 4xx, a name that does not resolve, a refused
    /// address or redirect, or too many redirects will not.
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

    private static IEnumerable<Uri> StartUrls(MissionWork work)
    {
        var named = work.StartUrls.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri : null).OfType<Uri>().ToList();
        return named.Count > 0
            ? named
            : work.Constraints.AllowedDomains.Select(d => Uri.TryCreate($"https://{d}/", UriKind.Absolute, out var uri) ? uri : null).OfType<Uri>();
    }

    private async Task<Page?> FetchAsync(Uri url, IReadOnlyList<string> allowed, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.RequestTimeoutSeconds));
        var current = url;
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                if (hop >= MaxRedirects)
                {
                    throw new HttpRequestException($"more than {MaxRedirects} redirects");
                }
                if (!DomainRules.IsAllowed(next, allowed))
                {
                    throw new HttpRequestException($"redirects to {next}, which is not on the allowed domains");
                }
                current = next;
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
            }
            var mediaType = response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant() ?? "text/html";
            var isHtml = mediaType is "text/html" or "application/xhtml+xml";
            var isText = mediaType is "text/plain" or "text/markdown" or "text/x-markdown";
            if (!isHtml && !isText)
            {
                return null; // binaries and other media are skipped
            }
            var text = await ReadCappedAsync(response.Content, timeout.Token);
            return isHtml ? ReadHtml(current, text) : ReadText(current, text);
        }
    }

    private async Task<string> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[Math.Min(_options.MaxResponseBytes, 64 * 1024)];
        using var collected = new MemoryStream();
        int read;
        while (collected.Length < _options.MaxResponseBytes
            && (read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, _options.MaxResponseBytes - collected.Length)), cancellationToken)) > 0)
        {
            collected.Write(buffer, 0, read);
        }
        return EncodingOf(content.Headers.ContentType).GetString(collected.GetBuffer(), 0, (int)collected.Length);
    }

    private static Encoding EncodingOf(MediaTypeHeaderValue? type)
    {
        try
        {
            return type?.CharSet is { Length: > 0 } charset ? Encoding.GetEncoding(charset.Trim('"')) : Encoding.UTF8;
        }
        catch (ArgumentException)
        {
            return Encoding.UTF8;
        }
    }

    private static Page ReadHtml(Uri url, string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        var main = document.QuerySelector("main") ?? document.QuerySelector("article") ?? document.Body;
        // Links in the content first, then the rest (navigation, footers): the content's links are the likelier leads.
        var anchors = (main?.QuerySelectorAll("a[href]") ?? Enumerable.Empty<IElement>()).Concat(document.QuerySelectorAll("a[href]"));
        var links = new List<Uri>();
        foreach (var anchor in anchors)
        {
            if (Uri.TryCreate(url, anchor.GetAttribute("href"), out var link) && link.Scheme is "http" or "https")
            {
                var clean = new UriBuilder(link) { Fragment = "" }.Uri;
                if (!links.Contains(clean))
                {
                    links.Add(clean);
                }
            }
        }
        foreach (var boilerplate in document.QuerySelectorAll("script, style, noscript, template, nav, header, footer, aside, form, svg"))
        {
            boilerplate.Remove();
        }
        var title = Collapse(document.Title ?? "");
        if (title.Length == 0)
        {
            title = Collapse(document.QuerySelector("h1")?.TextContent ?? url.ToString());
        }
        return new Page(url, title, TextOf(main), links, "html_reader");
    }

    /// <summary>The readable text of an element, with block boundaries kept as spaces ("Title Body", not "TitleBody").</summary>
    private static string TextOf(INode? root)
    {
        if (root is null)
        {
            return "";
        }
        var text = new StringBuilder();
        foreach (var node in root.GetDescendants())
        {
            if (node is IText t)
            {
                text.Append(t.Data).Append(' ');
            }
        }
        return Collapse(text.ToString());
    }

    private static Page ReadText(Uri url, string text)
    {
        var firstLine = text.Split('\n', 2)[0].TrimStart('#', ' ').Trim();
        return new Page(url, firstLine.Length is > 0 and <= 200 ? firstLine : url.ToString(), Collapse(text), [], "text_reader");
    }

    private static string Compose(IReadOnlyList<Page> pages, bool outOfTime, bool outOfPages)
    {
        if (pages.Count == 0)
        {
            return "";
        }
        var answer = new StringBuilder();
        answer.Append("Read ").Append(pages.Count).Append(pages.Count == 1 ? " page" : " pages");
        if (outOfTime)
        {
            answer.Append(" before the time budget ran out");
        }
        else if (outOfPages)
        {
            answer.Append(" (the page budget was reached; more links were left unread)");
        }
        answer.Append(":\n");
        for (var i = 0; i < pages.Count; i++)
        {
            var p = pages[i];
            answer.Append('\n').Append(i + 1).Append(". ").Append(p.Title).Append(" — ").Append(p.Url).Append('\n');
            if (p.Text.Length > 0)
            {
                answer.Append("   ").Append(p.Text.Length > ExcerptLength ? p.Text[..ExcerptLength].TrimEnd() + "…" : p.Text).Append('\n');
            }
        }
        return answer.ToString().TrimEnd();
    }

    private static string Normalize(Uri url) => url.GetComponents(UriComponents.HttpRequestUrl & ~UriComponents.Fragment, UriFormat.UriEscaped);

    private static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    public void Dispose() => _http.Dispose();

    private sealed record Page(Uri Url, string Title, string Text, IReadOnlyList<Uri> Links, string Reader);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mission {MissionId} could not fetch {Url}: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string missionId, Uri url, string reason);
}
