using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Missions;
using Missions.Execution;
using Missions.Log;
using Missions.LanguageModel;
using Missions.Research;

// The research agent on a generated local website: 10 sections of 20 pages, each section's pages linked from
// its index, the indexes from the home page, a robots.txt that closes one section, a sitemap of everything.
// Ten questions, each answered by one fact on one page two links from home. For each question and page budget:
// pages fetched, whether the answer names the fact and cites its page, and the time per mission — once with
// no politeness delay (the agent's own cost) and once with the default 500 ms between requests to the host.
// Usage: dotnet run -c Release --project bench/Missions.ResearchBench -- [--budgets 5,10] [--delays 0,500] [--explain]
// With --docs DIR (bench/docs.sh): the real-manuals mode instead (DocsBench).
// (--explain prints, for each question missed, the pages read and the answer given.)
if (Array.IndexOf(args, "--docs") is var docsAt and >= 0 && docsAt + 1 < args.Length)
{
    // Real manuals (bench/docs.sh): dotnet run … -- --docs DIR [--budget 12] [--explain]
    await DocsBench.RunAsync(args[docsAt + 1], int.Parse(Arg("--budget", "12")), args.Contains("--explain"), Arg("--set", "docs"), Arg("--half", "all"));
    return;
}
var budgets = Arg("--budgets", "5,10").Split(',').Select(int.Parse).ToArray();
var delays = Arg("--delays", "0,500").Split(',').Select(int.Parse).ToArray();

await using var site = await Site.StartAsync();
var data = Path.Combine(Path.GetTempPath(), "missions-researchbench", Guid.NewGuid().ToString("N"));
Console.WriteLine("| question | max pages | delay ms | pages fetched | answered and cited | ms |");
Console.WriteLine("|---|---:|---:|---:|---|---:|");
var summary = new List<string>();
foreach (var delay in delays)
{
    foreach (var budget in budgets)
    {
        var pages = new List<int>();
        var times = new List<double>();
        var found = 0;
        using var agent = BenchAgent.Create(data, delay);
        foreach (var (question, fact, page) in Site.Questions)
        {
            var work = new MissionWork(Ids.NewMissionId(), 1, new Objective { Type = "research", Description = question },
                new MissionConstraints { AllowedDomains = ["127.0.0.1"], MaxPages = budget, MaxDurationSeconds = 120 }, [site.Root]);
            var clock = Stopwatch.StartNew();
            var outcome = await agent.ExecuteAsync(work, CancellationToken.None);
            var ms = clock.Elapsed.TotalMilliseconds;
            var answer = outcome.Result.FinalAnswer;
            var factAt = answer.IndexOf(fact, StringComparison.Ordinal);
            var cited = factAt >= 0 && answer.IndexOf("(" + site.Root + page.TrimStart('/') + ")", factAt, StringComparison.Ordinal) > factAt;
            found += cited ? 1 : 0;
            if (!cited && args.Contains("--explain"))
            {
                Console.Error.WriteLine($"--- {question}: read {string.Join(", ", outcome.Result.Sources.Select(x => x.Url))}\n{answer}\n");
            }
            pages.Add(outcome.Result.PagesFetched);
            times.Add(ms);
            Console.WriteLine($"| {question} | {budget} | {delay} | {outcome.Result.PagesFetched} | {(cited ? "yes" : "no")} | {ms:N0} |");
        }
        summary.Add($"| {budget} | {delay} | {pages.Average():N1} | {found}/{Site.Questions.Length} | {Median(times):N0} | {times.Max():N0} |");
    }
}
Console.WriteLine();
Console.WriteLine("| max pages | delay ms | pages fetched per mission (mean) | answered and cited | ms per mission (median) | ms (max) |");
Console.WriteLine("|---:|---:|---:|---|---:|---:|");
summary.ForEach(Console.WriteLine);
try { Directory.Delete(data, true); } catch (IOException) { }

string Arg(string name, string fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static class BenchAgent
{
    /// <summary>The research agent as a silo makes it, on loopback sites; MISSIONS_BENCH_SEMANTIC=true adds the sentence model (Missions:Research:Semantic=true).</summary>
    public static ResearchAgent Create(string data, int politenessMs) => new(
        Options.Create(new ExecutionOptions { AllowPrivateNetworks = true, PolitenessDelayMilliseconds = politenessMs }),
        new ToolCallStore(Options.Create(new MissionsOptions { DataDirectory = data }), NullLogger<ToolCallStore>.Instance),
        new LlmAnswerWriter(new LlmClient(Options.Create(new Missions.LanguageModel.LlmOptions())), NullLogger<LlmAnswerWriter>.Instance),
        NullLogger<ResearchAgent>.Instance,
        new SemanticMatcher(Options.Create(new ResearchOptions { Semantic = Environment.GetEnvironmentVariable("MISSIONS_BENCH_SEMANTIC") == "true" }),
            NullLogger<SemanticMatcher>.Instance));
}

sealed class Site : IAsyncDisposable
{
    private static readonly string[] Sections =
        ["grains", "silos", "streams", "persistence", "reminders", "transactions", "clustering", "serialization", "observability", "deployment"];

    private static readonly string[] Filler =
        ["configuration", "example", "pattern", "runtime", "behaviour", "service", "performance", "operation", "scenario", "component",
         "interface", "startup", "lifecycle", "message", "request", "response", "cluster", "storage", "provider", "option"];

    /// <summary>Titles of the answer pages: about the question's subject, in other words than the question's.</summary>
    private static readonly Dictionary<string, string> AnswerTitles = new()
    {
        ["grains"] = "Activation collection and idle grains", ["silos"] = "Failure detection between silos",
        ["streams"] = "Stream events without subscribers", ["persistence"] = "Grain state, etags and concurrency",
        ["reminders"] = "Reminder periods and limits", ["transactions"] = "Isolation in grain transactions",
        ["clustering"] = "What the membership table holds", ["serialization"] = "Versioning serialized types",
        ["observability"] = "Meters for grain calls", ["deployment"] = "Rolling upgrades",
    };

    /// <summary>Questions, the fact that answers each, and the page it is on (page 13 of a section).</summary>
    public static readonly (string Question, string Fact, string Page)[] Questions =
    [
        ("research how long an idle grain stays activated before collection", "An idle grain is deactivated after the collection age limit of fifteen minutes", "/grains/13"),
        ("research how silos detect that a silo has died", "Silos detect a dead silo when enough peers vote after missed probe responses", "/silos/13"),
        ("research what happens to stream events when no subscriber exists", "Events published with no subscriber are dropped unless the stream provider keeps a queue cache", "/streams/13"),
        ("research what the etag check prevents when grain state is written", "The etag check prevents a stale activation from overwriting newer grain state", "/persistence/13"),
        ("research the minimum period allowed for a reminder", "A reminder period must be at least one minute", "/reminders/13"),
        ("research which isolation level grain transactions provide", "Grain transactions provide serializable isolation across grains", "/transactions/13"),
        ("research what the membership table stores for each silo", "The membership table stores each silo's address, status and suspicion votes", "/clustering/13"),
        ("research how to keep wire compatibility when a serialized type changes", "Wire compatibility is kept by adding members with new field ids and never reusing an id", "/serialization/13"),
        ("research which meters the runtime publishes for grain calls", "The runtime publishes grain call counts and latencies on the Microsoft.Orleans meter", "/observability/13"),
        ("research how a rolling upgrade keeps the cluster available", "A rolling upgrade keeps the cluster available by replacing one silo at a time", "/deployment/13"),
    ];

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
        app.MapGet("/", () => Html("Orleans handbook",
            "<main><h1>Orleans handbook</h1><p>Sections of the handbook:</p><ul>" +
            string.Concat(Sections.Select(s => $"<li><a href=\"/{s}/\">{Title(s)}</a></li>")) + "</ul></main>"));
        app.MapGet("/{section}/", (string section) => Sections.Contains(section)
            ? Html(Title(section), $"<nav><a href=\"/\">Home</a></nav><main><h1>{Title(section)}</h1><ul>" +
                string.Concat(Enumerable.Range(1, 20).Select(n => $"<li><a href=\"/{section}/{n}\">{PageTitle(section, n)}</a></li>")) + "</ul></main>")
            : Results.NotFound());
        app.MapGet("/{section}/{n:int}", (string section, int n) => Sections.Contains(section) && n is >= 1 and <= 20
            ? Html(PageTitle(section, n), $"<nav><a href=\"/\">Home</a> <a href=\"/{section}/\">{Title(section)}</a></nav><main><h1>{PageTitle(section, n)}</h1>" +
                Body(section, n) + $"<p>See also <a href=\"/{section}/{n % 20 + 1}\">{PageTitle(section, n % 20 + 1)}</a>.</p></main>")
            : Results.NotFound());
        app.MapGet("/robots.txt", () => Results.Text("User-agent: *\nDisallow: /drafts/\n", "text/plain"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Site(app, address + "/");
    }

    private static string Title(string section) => char.ToUpperInvariant(section[0]) + section[1..];

    /// <summary>Page 13 of each section is the one with the answer; its title says what it is about, as real titles do.</summary>
    private static string PageTitle(string section, int n) => n == 13
        ? AnswerTitles[section]
        : $"{Title(section)} {Filler[(n * 7) % Filler.Length]} {Filler[(n * 3 + 1) % Filler.Length]} notes";

    private static string Body(string section, int n)
    {
        // A seed that is the same in every process (string.GetHashCode is not): every run reads the same site.
        var random = new Random(section.Aggregate(17, (h, c) => h * 31 + c) ^ n);
        var paragraphs = Enumerable.Range(0, 6).Select(_ =>
            "<p>" + string.Join(' ', Enumerable.Range(0, 60).Select(_ => Filler[random.Next(Filler.Length)])) + ".</p>").ToList();
        if (n == 13)
        {
            paragraphs.Insert(3, $"<h2>The answer</h2><p>{Questions.First(q => q.Page == $"/{section}/13").Fact}.</p>");
        }
        return string.Concat(paragraphs);
    }

    private static IResult Html(string title, string body) =>
        Results.Content($"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>", "text/html; charset=utf-8");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
