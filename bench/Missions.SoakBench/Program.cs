using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Missions.Benchmarks;

// Memory under a steady load: the real server (embedded default, the research agent, politeness delay 0) answers
// ~R chat requests/s spread over S sessions for M minutes, half of them research missions on a loopback site (a few
// questions per session, so repeats meet the result cache), half talk. Every 20 s it prints the server's RSS and
// managed heap (the runtime's own gauges, from /metrics), what was answered and how fast, and how many missions
// ended. At the end: RSS and heap from minute 5 to the end, as the spread around their mean (the target: within 10 %).
// Usage: dotnet run -c Release --project bench/Missions.SoakBench -- [--minutes M] [--rate R] [--sessions S] [--freshness SECONDS]
var minutes = Arg("--minutes", 15);
var rate = Arg("--rate", 95);
var sessions = Arg("--sessions", 2000);
var freshness = Arg("--freshness", 120); // inside the measured span, so cached answers come and go during it

await using var site = await Site.StartAsync();
using var data = new TempData();
var (server, port) = WebFrontendProcess.Start(data.Path, new Dictionary<string, string>
{
    ["Missions__Execution__Executor"] = "web",
    ["Missions__Execution__AllowPrivateNetworks"] = "true",
    ["Missions__Execution__PolitenessDelayMilliseconds"] = "0",
    ["Missions__Chat__FreshnessSeconds"] = freshness.ToString(CultureInfo.InvariantCulture),
});
using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
var sessionIds = new System.Collections.Concurrent.ConcurrentDictionary<int, Task<string>>();
try
{
    await WaitReadyAsync(http, server);
    Console.WriteLine($"Soak: {rate} requests/s over {sessions} sessions for {minutes} min, half research on {site.Root}, freshness {freshness} s.");
    Console.WriteLine("| min | requests | errors | p50 ms | p99 ms | missions ended | RSS MB | managed heap MB | GC committed MB |");
    Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");

    var latencies = new List<double>();
    var errors = 0;
    var sent = 0;
    var samples = new List<(double Minute, double Rss, double Heap)>();
    var random = new Random(7);
    var clock = Stopwatch.StartNew();
    var inFlight = new List<Task>();
    var nextReport = TimeSpan.FromSeconds(20);
    var end = TimeSpan.FromMinutes(minutes);
    while (clock.Elapsed < end)
    {
        // Fixed rate: request n goes at n / rate seconds, whatever the answers do (bounded: at most 2,000 in flight).
        var due = TimeSpan.FromSeconds(sent / (double)rate);
        if (due > clock.Elapsed)
        {
            await Task.Delay(due - clock.Elapsed);
        }
        inFlight.RemoveAll(t => t.IsCompleted);
        if (inFlight.Count < 2000)
        {
            var n = sent;
            var session = random.Next(sessions);
            var research = random.Next(2) == 0;
            var message = research
                ? $"research {Site.Topics[random.Next(3) + session % (Site.Topics.Length - 3)]} on {site.Root}/ up to 3 pages within 30 seconds"
                : random.Next(3) switch { 0 => "hello", 1 => "status", _ => "what can you do?" };
            inFlight.Add(SendAsync(session, message, $"m{n}"));
        }
        sent++;
        if (clock.Elapsed >= nextReport)
        {
            nextReport += TimeSpan.FromSeconds(20);
            double[] window;
            lock (latencies)
            {
                window = [.. latencies.Order()];
                latencies.Clear();
            }
            var (rss, heap, committed) = await MemoryAsync(http, server);
            var ended = await EndedAsync(http);
            var minute = clock.Elapsed.TotalMinutes;
            samples.Add((minute, rss, heap));
            Console.WriteLine($"| {minute:0.00} | {sent:N0} | {Volatile.Read(ref errors)} | {Pct(window, 0.5):0.0} | {Pct(window, 0.99):0.0} | {ended:N0} | {rss:0} | {heap:0} | {committed:0} |");
        }
    }
    await Task.WhenAll(inFlight);

    var steady = samples.Where(s => s.Minute >= 5).ToList();
    if (steady.Count > 1)
    {
        Console.WriteLine();
        Console.WriteLine($"From minute 5 on ({steady.Count} samples): RSS {Spread(steady.Select(s => s.Rss))}; managed heap {Spread(steady.Select(s => s.Heap))}.");
        Console.WriteLine($"RSS first/last of that span: {steady[0].Rss:0} → {steady[^1].Rss:0} MB; heap {steady[0].Heap:0} → {steady[^1].Heap:0} MB.");
        // A collected runtime saws: garbage gathers between full collections and goes at once. What must stay flat
        // is the saw's envelope — its peaks and its troughs — from the first half of the span to the second.
        var (early, late) = (steady.Take(steady.Count / 2).ToList(), steady.Skip(steady.Count / 2).ToList());
        Console.WriteLine($"Envelope, first half → second half: RSS peaks {Drift(early.Max(s => s.Rss), late.Max(s => s.Rss))}, troughs {Drift(early.Min(s => s.Rss), late.Min(s => s.Rss))}; " +
            $"heap peaks {Drift(early.Max(s => s.Heap), late.Max(s => s.Heap))}, troughs {Drift(early.Min(s => s.Heap), late.Min(s => s.Heap))}.");
    }

    async Task SendAsync(int sessionNumber, string message, string clientId)
    {
        var session = await sessionIds.GetOrAdd(sessionNumber, async _ =>
        {
            using var made = await http.PostAsync("api/conversations", null);
            made.EnsureSuccessStatusCode();
            return (await made.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("session_id").GetString()!;
        });
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await http.PostAsJsonAsync("chat/integrated", new { session_id = session, message, client_message_id = clientId });
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref errors);
            }
        }
        catch (Exception)
        {
            Interlocked.Increment(ref errors);
        }
        lock (latencies)
        {
            latencies.Add(watch.Elapsed.TotalMilliseconds);
        }
    }
}
finally
{
    server.Kill(entireProcessTree: true);
    await server.WaitForExitAsync();
}

static string Spread(IEnumerable<double> values)
{
    var list = values.ToList();
    var mean = list.Average();
    return $"mean {mean:0} MB, min {list.Min():0}, max {list.Max():0} (max/min {list.Max() / list.Min():0.00}×, ±{(list.Max() - list.Min()) / 2 / mean * 100:0.0} % of the mean)";
}

static string Drift(double from, double to) => $"{from:0} → {to:0} MB ({(to - from) / from * 100:+0.0;-0.0} %)";

static double Pct(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

static async Task<(double Rss, double Heap, double Committed)> MemoryAsync(HttpClient http, Process server)
{
    var rss = long.Parse(File.ReadLines($"/proc/{server.Id}/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    var metrics = await http.GetStringAsync("metrics");
    // The heap as the last GC left it, all generations; and what the GC has committed from the OS.
    var heap = Sum(metrics, "dotnet_gc_last_collection_heap_size_bytes");
    var committed = Sum(metrics, "dotnet_gc_last_collection_memory_committed_size_bytes");
    return (rss, heap / 1024 / 1024, committed / 1024 / 1024);
}

static double Sum(string metrics, string name) =>
    metrics.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal) && !l.StartsWith(name + "_", StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

static async Task<int> EndedAsync(HttpClient http)
{
    var page = await http.GetFromJsonAsync<JsonElement>("api/whiteboard?limit=1");
    var counts = page.GetProperty("counts");
    return new[] { "completed", "failed", "cancelled", "timed_out" }.Sum(s => counts.GetProperty(s).GetInt32());
}

static async Task WaitReadyAsync(HttpClient http, Process server)
{
    for (var i = 0; i < 600; i++)
    {
        if (server.HasExited)
        {
            throw new InvalidOperationException("The web frontend exited before it was ready.");
        }
        try
        {
            if ((await http.GetAsync("readyz")).IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
        }
        await Task.Delay(100);
    }
    throw new TimeoutException("The web frontend was not ready within 60 s.");
}

static int Arg(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>A small documentation site on 127.0.0.1: an index linking to topic pages that link to each other.</summary>
sealed class Site : IAsyncDisposable
{
    public static readonly string[] Topics =
        ["reminders", "timers", "grains", "silos", "streams", "persistence", "transactions", "placement", "clustering", "dashboard", "serialization", "observers"];

    private readonly WebApplication _app;

    private Site(WebApplication app, string root)
    {
        _app = app;
        Root = root;
    }

    public string Root { get; }

    public static async Task<Site> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/robots.txt", () => Results.Text("User-agent: *\nAllow: /\n"));
        app.MapGet("/", () => Html("Guide", string.Concat(Topics.Select(t => $"<li><a href=\"/{t}\">{t}</a></li>"))));
        app.MapGet("/{topic}", (string topic) => Html(topic,
            $"<p>{topic} in Orleans: {string.Join(' ', Enumerable.Repeat($"the {topic} chapter explains how {topic} work and when to use them.", 20))}</p>" +
            string.Concat(Topics.Select(t => $"<li><a href=\"/{t}\">{t}</a></li>"))));
        await app.StartAsync();
        return new Site(app, app.Urls.First());
    }

    private static IResult Html(string title, string body) =>
        Results.Content($"<!doctype html><html><head><title>{title}</title></head><body><main><h1>{title}</h1><ul>{body}</ul></main></body></html>", "text/html");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

sealed class TempData : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("missions-soak-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
