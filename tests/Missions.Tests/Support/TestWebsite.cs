using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Missions.Tests.Support;

/// <summary>
/// A small website on 127.0.0.1 for missions to read: a home page linking to articles, a dozen generated topic
/// pages, a path robots.txt forbids and a page off the allowed domains; the answer to "where are reminders
/// stored" two links deep; a page only the sitemap lists; a redirect that leaves the domains, a slow page, a
/// huge page, a binary file, a plain-text and a Markdown page.
/// </summary>
public sealed class TestWebsite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestWebsite(WebApplication app, Uri root)
    {
        _app = app;
        Root = root;
    }

    public Uri Root { get; }

    public string Url(string path) => new Uri(Root, path).ToString();

    /// <summary>Paths requested so far, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>When each request arrived (path, UTC), for politeness checks.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(string Path, DateTime At)> Arrivals { get; } = new();

    /// <summary>Bytes of <c>/huge</c> written before the reader stopped.</summary>
    public long HugeBytesWritten => Interlocked.Read(ref _hugeBytesWritten);

    private long _hugeBytesWritten;

    /// <summary>Pages other than robots.txt and the sitemap, in the order requested.</summary>
    public IReadOnlyList<string> PageRequests => Requests.Where(p => p is not ("/robots.txt" or "/sitemap.xml")).ToList();

    public const int TopicCount = 12;

    public static async Task<TestWebsite> StartAsync()
    {
        var app = LocalServer.Create();
        TestWebsite? site = null;
        app.Use(async (context, next) =>
        {
            site?.Requests.Enqueue(context.Request.Path);
            site?.Arrivals.Enqueue((context.Request.Path, DateTime.UtcNow));
            await next(context);
        });

        app.MapGet("/", () => Html("Orleans Field Guide",
            $$"""
            <nav><a href="/nav-only">Navigation</a></nav>
            <main>
              <h1>Orleans Field Guide</h1>
              <p>Grains are the building blocks of an Orleans application.</p>
              <ul>
                <li><a href="/reminders">Reminders</a></li>
                <li><a href="/timers">Timers</a></li>
                <li><a href="http://localhost:1/elsewhere">Elsewhere</a></li>
              </ul>
              <p>More topics:</p>
              <ul>
                {{string.Concat(Enumerable.Range(1, TopicCount).Select(n => $"<li><a href=\"/topics/{n}\">Topic {n}: {Topics[n % Topics.Length]}</a></li>"))}}
                <li><a href="/private/reminders-archive">Reminders archive (private)</a></li>
              </ul>
            </main>
            <script>document.title = "not this";</script>
            """));
        app.MapGet("/reminders", () => Html("Reminders Are Durable",
            "<main><h1>Reminders</h1><p>Reminders persist in storage and survive silo restarts.</p><a href=\"/deep\">Deeper</a>" +
            " <a href=\"/reminders/storage\">Where reminders are stored</a></main>"));
        app.MapGet("/reminders/storage", () => Html("Reminder Storage",
            """
            <main><h1>Reminder storage</h1>
            <h2>Providers</h2>
            <p>Orleans reminders are stored in the reminder table of the configured reminder service: Azure Table
            storage, ADO.NET databases such as SQL Server and PostgreSQL, Redis, or Cosmos DB.</p>
            <h2>Development</h2>
            <p>The in-memory reminder service keeps them only while the silo runs; use it for tests.</p>
            </main>
            """));
        app.MapGet("/topics/{n:int}", (int n) => Html($"Topic {n}",
            $"<main><h1>Topic {n}: {Topics[n % Topics.Length]}</h1><p>This page discusses {Topics[n % Topics.Length]} in general terms, " +
            $"with examples of configuration and common pitfalls for topic {n}.</p><a href=\"/topics/{(n % TopicCount) + 1}\">Next topic</a></main>"));
        app.MapGet("/private/reminders-archive", () => Html("Private", "<main><p>Reminders are stored in a secret place.</p></main>"));
        app.MapGet("/faq/reminder-persistence", () => Html("Reminder Persistence FAQ",
            "<main><h1>FAQ</h1><p>Do reminders persist across deployments? Yes: reminder persistence is the job of the reminder table.</p></main>"));
        app.MapGet("/robots.txt", (HttpContext context) => Results.Text(
            $"""
            # The test site's rules
            User-agent: SomeOtherBot
            Disallow: /

            User-agent: *
            Disallow: /private/
            Allow: /private/public-note$

            Sitemap: http://{context.Request.Host}/sitemap.xml
            """, "text/plain"));
        app.MapGet("/sitemap.xml", (HttpContext context) => Results.Content(
            $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <url><loc>http://{context.Request.Host}/</loc></url>
              <url><loc>http://{context.Request.Host}/timers</loc></url>
              <url><loc>http://{context.Request.Host}/faq/reminder-persistence</loc></url>
              <url><loc>http://elsewhere.invalid/offsite</loc></url>
            </urlset>
            """, "application/xml"));
        app.MapGet("/guide.md", () => Results.Text("# Grain Guide\n\nGrains are virtual actors.\n\n## Timers\n\nTimers tick while the grain is active.\n\nSee [reminders](/reminders).", "text/markdown"));
        app.MapGet("/huge", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/html";
            var chunk = System.Text.Encoding.UTF8.GetBytes("<p>" + new string('x', 8180) + "</p>\n");
            try
            {
                await context.Response.WriteAsync("<html><head><title>Huge</title></head><body><main>");
                for (var i = 0; i < 4096 && !context.RequestAborted.IsCancellationRequested; i++) // 32 MiB at about 8 MiB/s
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(1, context.RequestAborted);
                    Interlocked.Add(ref site!._hugeBytesWritten, chunk.Length);
                }
                await context.Response.WriteAsync("<p>the end marker</p></main></body></html>");
            }
            catch (Exception) when (context.RequestAborted.IsCancellationRequested)
            {
                // the reader stopped at its cap
            }
        });
        app.MapGet("/markup", () => Html("Markup <img src=x onerror=alert(9)> **Title**",
            "<main><h1>Markup</h1><p>Markup reminders are written as **strong words**, [a link](javascript:alert(1)), " +
            "&lt;img src=x onerror=alert(2)&gt;, &lt;script&gt;alert(3)&lt;/script&gt;, ![pixel](http://127.0.0.1:9/pixel.png), " +
            "&lt;a href=\"javascript:alert(4)\" style=\"position:fixed;inset:0\"&gt;cover&lt;/a&gt; and [docs](https://docs.example/reminders).</p></main>"));
        app.MapGet("/timers", () => Html("Grain Timers",
            "<main><h1>Timers</h1><p>Timers live only while their grain is active.</p></main>"));
        app.MapGet("/deep", () => Html("Deep Page", "<main><p>Two links from home.</p></main>"));
        app.MapGet("/nav-only", () => Html("Nav Only", "<main><p>Reached through navigation.</p></main>"));
        app.MapGet("/notes.txt", () => Results.Text("Release notes\nOrleans 10 brings durable jobs.", "text/plain"));
        app.MapGet("/download", () => Results.Bytes(new byte[4096], "application/octet-stream"));
        app.MapGet("/file.bin", () => Results.Bytes(new byte[4096], "application/octet-stream"));
        app.MapGet("/redirect-off", () => Results.Redirect("http://localhost:1/outside"));
        app.MapGet("/redirect-in", () => Results.Redirect("/timers"));
        app.MapGet("/then-slow", () => Html("Before The Slow Page",
            "<main><h1>Before the slow page</h1><p>Reminders are kept in the reminder table.</p><a href=\"/slow\">Slow details</a></main>"));
        app.MapGet("/slow", async (CancellationToken aborted) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), aborted);
            return Html("Slow", "<p>late</p>");
        });
        app.MapGet("/missing", () => Results.NotFound());
        app.MapGet("/error", () => Results.StatusCode(503));

        var address = await LocalServer.StartAsync(app);
        site = new TestWebsite(app, new Uri(address + "/"));
        return site;
    }

    private static readonly string[] Topics = ["grain placement", "streams", "serialization", "clustering", "transactions", "observability"];

    private static IResult Html(string title, string body) =>
        Results.Content($"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>", "text/html; charset=utf-8");

    public ValueTask DisposeAsync() => LocalServer.StopAsync(_app);
}
