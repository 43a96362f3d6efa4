using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Missions.Execution;

namespace Missions.Research;

/// <summary>A redirect the caller would not follow (off the allowed domains, forbidden by robots.txt).</summary>
public sealed class RedirectRefusedException(string message) : HttpRequestException(message);

/// <summary>A response as the agent sees it: where it ended up, its status, and its text when it is text.</summary>
public sealed record FetchedDocument(Uri Url, HttpStatusCode Status, string MediaType, string? Body);

/// <summary>
/// The agent's HTTP: no automatic redirects (each hop is checked by the caller: allowed domains, robots.txt),
/// no proxy, no cookies, public addresses only (checked after DNS resolution, at connect time), a timeout per
/// request, responses read up to a size cap, binaries not read at all, and every request paced per host.
/// </summary>
public sealed class WebFetcher : IDisposable
{
    public const int MaxRedirects = 5;

    private readonly HttpClient _http;
    private readonly ExecutionOptions _options;
    private readonly HostPacer _pacer = new();

    public WebFetcher(ExecutionOptions options)
    {
        _options = options;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            // A response abandoned at the size cap closes its connection: nothing past the cap is downloaded.
            MaxResponseDrainSize = 0,
            ConnectTimeout = TimeSpan.FromSeconds(Math.Min(10, options.RequestTimeoutSeconds)),
            ConnectCallback = NetworkGuard.ConnectCallback(options.AllowPrivateNetworks),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
        _http.DefaultRequestHeaders.Accept.ParseAdd("text/html, application/xhtml+xml, text/plain;q=0.9, text/markdown;q=0.9, application/xml;q=0.5, */*;q=0.1");
    }

    /// <summary>
    /// GETs a URL, following redirects that <paramref name="refuseHop"/> does not refuse (it returns why not),
    /// waiting <paramref name="delayFor"/> between requests to a host. Throws <see cref="HttpRequestException"/>
    /// for refused hops and network failures; an error status is returned, not thrown.
    /// </summary>
    public async Task<FetchedDocument> GetAsync(
        Uri url, Func<Uri, Task<string?>> refuseHop, Func<Uri, TimeSpan> delayFor, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.RequestTimeoutSeconds));
        var current = url;
        var visited = new HashSet<string>(StringComparer.Ordinal) { current.AbsoluteUri };
        for (var hop = 0; ; hop++)
        {
            Uri next;
            // The host's turn is held for this request only: it is given back before the next hop is checked or
            // taken, so a same-host redirect (http → https) or the robots.txt its check may fetch never waits for itself.
            using (await _pacer.TakeTurnAsync(current, delayFor(current), timeout.Token))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if ((int)response.StatusCode is < 300 or >= 400 || response.Headers.Location is not { } location)
                {
                    var mediaType = response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant() ?? "text/html";
                    if (!response.IsSuccessStatusCode || !IsText(mediaType))
                    {
                        return new FetchedDocument(current, response.StatusCode, mediaType, null); // binaries are not read
                    }
                    return new FetchedDocument(current, response.StatusCode, mediaType, await ReadCappedAsync(response.Content, timeout.Token));
                }
                next = location.IsAbsoluteUri ? location : new Uri(current, location);
            }
            if (hop >= MaxRedirects)
            {
                throw new HttpRequestException($"more than {MaxRedirects} redirects");
            }
            if (next.Scheme is not ("http" or "https") || next.AbsoluteUri.Length > PageLimits.MaxUrlChars)
            {
                throw new RedirectRefusedException($"redirects to {PlainText.Clip(next.ToString(), 200)}, which is not a web page address");
            }
            if (!visited.Add(next.AbsoluteUri))
            {
                throw new HttpRequestException($"redirects in a loop (back to {PlainText.Clip(next.ToString(), 200)})");
            }
            if (await refuseHop(next) is { } refusal)
            {
                throw new RedirectRefusedException($"redirects to {PlainText.Clip(next.ToString(), 200)}, which {refusal}");
            }
            current = next;
        }
    }

    public static bool IsHtml(string mediaType) => mediaType is "text/html" or "application/xhtml+xml";

    public static bool IsText(string mediaType) =>
        IsHtml(mediaType) || mediaType is "text/plain" or "text/markdown" or "text/x-markdown" or "application/xml" or "text/xml";

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

    public void Dispose() => _http.Dispose();
}
