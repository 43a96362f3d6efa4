using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Missions.Tests.Support;

/// <summary>
/// A small website on 127.0.0.1 for missions to read: a home page linking to two articles and a page off the
/// allowed domains, a redirect that leaves them, a slow page, a binary file and a plain-text page.
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

    public static async Task<TestWebsite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TestWebsite? site = null;
        app.Use(async (context, next) =>
        {
            site?.Requests.Enqueue(context.Request.Path);
            await next(context);
        });

        app.MapGet("/", () => Html("Orleans Field Guide",
            """
            <nav><a href="/nav-only">Navigation</a></nav>
            <main>
              <h1>Orleans Field Guide</h1>
              <p>Grains are the building blocks of an Orleans application.</p>
              <ul>
                <li><a href="/reminders">Reminders</a></li>
                <li><a href="/timers">Timers</a></li>
                <li><a href="http://localhost:1/elsewhere">Elsewhere</a></li>
              </ul>
            </main>
            <script>document.title = "not this";</script>
            """));
        app.MapGet("/reminders", () => Html("Reminders Are Durable",
            "<main><h1>Reminders</h1><p>Reminders persist in storage and survive silo restarts.</p><a href=\"/deep\">Deeper</a></main>"));
        app.MapGet("/timers", () => Html("Grain Timers",
            "<main><h1>Timers</h1><p>Timers live only while their grain is active.</p></main>"));
        app.MapGet("/deep", () => Html("Deep Page", "<main><p>Two links from home.</p></main>"));
        app.MapGet("/nav-only", () => Html("Nav Only", "<main><p>Reached through navigation.</p></main>"));
        app.MapGet("/notes.txt", () => Results.Text("Release notes\nOrleans 10 brings durable jobs.", "text/plain"));
        app.MapGet("/file.bin", () => Results.Bytes(new byte[4096], "application/octet-stream"));
        app.MapGet("/redirect-off", () => Results.Redirect("http://localhost:1/outside"));
        app.MapGet("/redirect-in", () => Results.Redirect("/timers"));
        app.MapGet("/slow", async (CancellationToken aborted) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), aborted);
            return Html("Slow", "<p>late</p>");
        });
        app.MapGet("/missing", () => Results.NotFound());
        app.MapGet("/error", () => Results.StatusCode(503));

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        site = new TestWebsite(app, new Uri(address + "/"));
        return site;
    }

    private static IResult Html(string title, string body) =>
        Results.Content($"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>", "text/html; charset=utf-8");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
