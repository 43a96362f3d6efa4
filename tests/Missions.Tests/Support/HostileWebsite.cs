using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Missions.Tests.Support;

/// <summary>
/// A website on 127.0.0.1 written to hurt its readers: catastrophic-backtracking Markdown, a 2 MB title, 200,000
/// links, a gzip bomb (1 GiB of text, streamed compressed as it is read), a redirect loop, a redirect to the same
/// host on another port (another origin: its robots.txt is fetched mid-redirect), a page that sends one byte a
/// second, a URL near the length limit, and a 2 MB robots.txt full of wildcards — beside a normal page.
/// </summary>
public sealed class HostileWebsite : IAsyncDisposable
{
    public const string NormalAnswer = "Reminders are durable timers kept in the reminder table.";

    private readonly WebApplication _main;
    private readonly WebApplication _other;

    private HostileWebsite(WebApplication main, string root, WebApplication other, string otherRoot)
    {
        _main = main;
        _other = other;
        Root = root;
        OtherRoot = otherRoot;
    }

    /// <summary>http://127.0.0.1:port, no trailing slash.</summary>
    public string Root { get; }

    /// <summary>The same host on another port: another origin.</summary>
    public string OtherRoot { get; }

    /// <summary>A path of about 1,900 characters, which every robots.txt rule is matched against.</summary>
    public static readonly string LongPath = "/long/" + string.Concat(Enumerable.Repeat("aq", 950));

    public string Url(string path) => Root + path;

    public static async Task<HostileWebsite> StartAsync()
    {
        var other = LocalServer.Create();
        other.MapGet("/robots.txt", () => Results.Text("User-agent: *\nAllow: /\n"));
        other.MapGet("/landing", () => Html("Landing", $"<main><h1>Reminders</h1><p>{NormalAnswer}</p></main>"));
        var otherRoot = await LocalServer.StartAsync(other);

        var main = LocalServer.Create();
        main.MapGet("/robots.txt", () => Results.Text(HostileRobots, "text/plain"));
        main.MapGet("/normal", () => Html("Reminders", $"<main><h1>Reminders</h1><p>{NormalAnswer}</p></main>"));
        main.MapGet("/evil.md", () => Results.Text(
            string.Concat(Enumerable.Repeat("# a" + new string(' ', 20_000) + "b\n", 20)) + "reminders are here\n", "text/markdown"));
        main.MapGet("/big-title", () => Html(new string('T', 2 * 1024 * 1024), "<main><p>reminders under a very long title</p></main>"));
        main.MapGet("/many-links", () => Results.Content(
            "<html><head><title>Links</title></head><body><main><p>reminders</p>" +
            string.Concat(Enumerable.Range(0, 200_000).Select(i => $"<a href=\"/l/{i}\">reminders {i}</a>")) + "</main></body></html>", "text/html"));
        main.MapGet("/bomb", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain";
            context.Response.Headers.ContentEncoding = "gzip";
            var zeros = new byte[1024 * 1024];
            Array.Fill(zeros, (byte)'a');
            try
            {
                await using var gzip = new GZipStream(context.Response.Body, CompressionLevel.Fastest, leaveOpen: true);
                for (var i = 0; i < 1024 && !context.RequestAborted.IsCancellationRequested; i++)
                {
                    await gzip.WriteAsync(zeros, context.RequestAborted);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // the reader hung up: as it should
            }
        });
        main.MapGet("/loop/a", () => Results.Redirect("/loop/b"));
        main.MapGet("/loop/b", () => Results.Redirect("/loop/a"));
        main.MapGet("/hop", () => Results.Redirect(otherRoot + "/landing"));
        main.MapGet("/slow", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/html";
            try
            {
                for (var i = 0; i < 60 && !context.RequestAborted.IsCancellationRequested; i++)
                {
                    await context.Response.Body.WriteAsync("r"u8.ToArray(), context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(1000, context.RequestAborted);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // the reader gave up: as it should
            }
        });
        main.MapGet(LongPath, () => Html("Long", $"<main><p>{NormalAnswer}</p></main>"));
        var root = await LocalServer.StartAsync(main);
        return new HostileWebsite(main, root, other, otherRoot);
    }

    /// <summary>2 MB of wildcard rules that match nothing real but make a naive matcher work hard on a long path.</summary>
    private static readonly string HostileRobots = BuildRobots();

    private static string BuildRobots()
    {
        var robots = new StringBuilder("User-agent: *\n");
        for (var i = 0; robots.Length < 2 * 1024 * 1024; i++)
        {
            robots.Append("Disallow: /long/*a*q*a*q*a*q*a*q*a*q*a*q*a*q*a*q*z").Append(i).Append("$\n");
        }
        return robots.ToString();
    }

    private static IResult Html(string title, string body) =>
        Results.Content($"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>", "text/html; charset=utf-8");

    public async ValueTask DisposeAsync()
    {
        await LocalServer.StopAsync(_main);
        await LocalServer.StopAsync(_other);
    }
}
