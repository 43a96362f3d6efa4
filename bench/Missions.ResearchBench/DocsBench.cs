using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Missions;
using Missions.Execution;
using Missions.Research;

/// <summary>
/// The research agent on real manuals (issue 20): Debian's Python 3.11 library reference and Git manual pages, unpacked
/// by <c>bench/docs.sh</c> and served on loopback as they are. Each question of <c>docs-questions.tsv</c> (written and
/// committed before any tuning) starts from a chapter or index page; it is answered when a passage of the answer that
/// is attributed to one of the pages holding the fact says the fact (or, for numbered citations, a line with the fact
/// cites such a page).
/// With <c>--set manuals</c>, the evaluation of issue 32 (<c>manuals-questions.tsv</c>): seven manuals from six
/// generators, each question in a tuning or a held-out half; <c>--half tuning|held-out</c> runs one half, and the
/// tables are per manual and per half. A held-out question's row is never printed, nor is its miss explained
/// (<c>--explain</c> speaks of tuning misses only).
/// </summary>
static class DocsBench
{
    public static async Task RunAsync(string docs, int budget, bool explain, string set = "docs", string half = "all")
    {
        var allRoots = new Dictionary<string, string>
        {
            ["python"] = Path.Combine(docs, "usr/share/doc/python3.11/html"),
            ["git"] = Path.Combine(docs, "usr/share/doc/git-doc"),
            ["rust-std"] = Path.Combine(docs, "usr/share/doc/rust-doc/html"),
            ["rust-books"] = Path.Combine(docs, "usr/share/doc/rust-doc/html"),
            ["go"] = Path.Combine(docs, "usr/share/doc/golang-1.19-doc/html"),
            ["erlang"] = Path.Combine(docs, "usr/share/doc/erlang-doc"),
            ["java"] = Path.Combine(docs, "usr/share/doc/openjdk-17-jre-headless/api"),
        };
        // docs-questions.tsv: manual, start, question, fact, pages; manuals-questions.tsv: the half first.
        var halves = set == "manuals";
        var questions = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, halves ? "manuals-questions.tsv" : "docs-questions.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(f => halves ? f : ["tuning", .. f])
            .Select(f => (Half: f[0], Manual: f[1], Start: f[2], Question: f[3], Fact: new Regex(f[4], RegexOptions.IgnoreCase), Pages: f[5].Split(',')))
            .Where(q => half == "all" || q.Half == half)
            .ToList();
        var roots = allRoots.Where(r => questions.Any(q => q.Manual == r.Key)).ToDictionary();
        foreach (var root in roots.Values.Where(r => !Directory.Exists(r)))
        {
            throw new DirectoryNotFoundException($"{root} is missing: bench/docs.sh downloads and unpacks the manuals.");
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/robots.txt", () => Results.Text("User-agent: *\nAllow: /\n", "text/plain"));
        foreach (var (manual, root) in roots)
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                RequestPath = "/" + manual, FileProvider = new PhysicalFileProvider(root),
                ContentTypeProvider = new FileExtensionContentTypeProvider(), ServeUnknownFileTypes = false,
            });
        }
        await app.StartAsync();
        var site = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/";

        var data = Path.Combine(Path.GetTempPath(), "missions-docsbench", Guid.NewGuid().ToString("N"));
        using var agent = BenchAgent.Create(data, politenessMs: 0);

        Console.WriteLine("| half | manual | question | pages read | page read | fact in answer | answered and cited | answer first | ms |");
        Console.WriteLine("|---|---|---|---:|---|---|---|---|---:|");
        var byManual = new Dictionary<string, Tally>();
        foreach (var q in questions)
        {
            var work = new MissionWork(Ids.NewMissionId(), 1, new Objective { Type = "research", Description = q.Question },
                new MissionConstraints { AllowedDomains = ["127.0.0.1"], MaxPages = budget, MaxDurationSeconds = 120 }, [site + q.Manual + "/" + q.Start]);
            var clock = Stopwatch.StartNew();
            var outcome = await agent.ExecuteAsync(work, CancellationToken.None);
            var ms = clock.Elapsed.TotalMilliseconds;
            var expected = q.Pages.Select(p => site + q.Manual + "/" + p).ToHashSet(StringComparer.Ordinal);
            var result = outcome.Result;
            var read = result.Sources.Any(s => expected.Contains(s.Url));
            var (factSaid, cited) = Judge(result.FinalAnswer, q.Fact, expected);
            // The answer first: its lead sentences say the fact, quoting a page that holds it.
            var first = result.Answer is { } lead && q.Fact.IsMatch(lead) && result.Citations.Any(c => expected.Contains(c.Url) && q.Fact.IsMatch(c.Quote));
            foreach (var tally in new[] { $"{q.Half} | {q.Manual}", $"{q.Half} | all", "both | all" }.Select(m => byManual.TryGetValue(m, out var t) ? t : byManual[m] = new Tally()))
            {
                tally.Add(cited, factSaid, read, first, result.PagesFetched, ms);
            }
            if (q.Half != "held-out")
            {
                // Which held-out question missed is not shown: the tables per manual say how the half did, and a list of
                // its misses is what one would tune on.
                Console.WriteLine($"| {q.Half} | {q.Manual} | {q.Question} | {result.PagesFetched} | {Yes(read)} | {Yes(factSaid)} | {Yes(cited)} | {Yes(first)} | {ms:N0} |");
            }
            var tell = explain && q.Half == "tuning"; // a held-out miss is never read
            if (!first && cited && tell)
            {
                Console.Error.WriteLine($"--- lead missed: {q.Question}\n{result.Answer}\n");
            }
            if (!cited && tell)
            {
                Console.Error.WriteLine($"--- {q.Question}\nread: {string.Join(", ", result.Sources.Select(s => s.Url[site.Length..]))}\n{result.FinalAnswer}\n");
            }
        }
        Console.WriteLine();
        Console.WriteLine($"| half | manual | questions | answered and cited | answer first (lead sentence, cited) | fact in answer | right page read | pages read (mean) | ms per mission (median) | ms per page |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (manual, t) in byManual.OrderBy(m => m.Key.StartsWith("both")).ThenBy(m => m.Key.EndsWith("| all")).ThenBy(m => m.Key))
        {
            Console.WriteLine($"| {manual} | {t.Asked} | {t.Cited} ({100.0 * t.Cited / t.Asked:N0} %) | {t.First} ({100.0 * t.First / t.Asked:N0} %) | {t.Fact} | {t.Read} | {t.Pages.Average():N1} | {t.Ms.Order().ElementAt(t.Ms.Count / 2):N0} | {t.Ms.Sum() / Math.Max(1, t.Pages.Sum()):N1} |");
        }
        var all = byManual["both | all"];
        Console.WriteLine($"\nms per page (mean, loopback, no politeness delay): {all.Ms.Sum() / all.Pages.Sum():N1}; process RSS at the end {Environment.WorkingSet / 1048576} MB (semantic matching {(Environment.GetEnvironmentVariable("MISSIONS_BENCH_SEMANTIC") == "true" ? "on" : "off")})");
        try { Directory.Delete(data, true); } catch (IOException) { }
        await app.StopAsync();
    }

    private sealed class Tally
    {
        public int Asked, Cited, Fact, Read, First;
        public List<int> Pages { get; } = [];
        public List<double> Ms { get; } = [];

        public void Add(bool cited, bool fact, bool read, bool first, int pages, double ms)
        {
            Asked++;
            First += first ? 1 : 0;
            Cited += cited ? 1 : 0;
            Fact += fact ? 1 : 0;
            Read += read ? 1 : 0;
            Pages.Add(pages);
            Ms.Add(ms);
        }
    }

    private static string Yes(bool value) => value ? "yes" : "no";

    /// <summary>
    /// Whether the answer says the fact, and whether it says it citing a page that holds it: a passage block attributed
    /// "— title (url)" to such a page, or a line with the fact and a numbered citation [n] whose source n is such a page.
    /// </summary>
    public static (bool Said, bool Cited) Judge(string answer, Regex fact, IReadOnlySet<string> pages)
    {
        var sourcesAt = answer.IndexOf("\nSources read:", StringComparison.Ordinal);
        var body = sourcesAt >= 0 ? answer[..sourcesAt] : answer;
        var said = fact.IsMatch(body);
        var cited = false;
        // Passage blocks: text lines, then "— title (url)".
        var block = new List<string>();
        foreach (var line in body.Split('\n'))
        {
            if (line.StartsWith("— ", StringComparison.Ordinal) && line.EndsWith(')') && line.LastIndexOf(" (", StringComparison.Ordinal) is var open and >= 0)
            {
                var url = line[(open + 2)..^1];
                cited |= pages.Contains(url) && fact.IsMatch(string.Join('\n', block));
                block.Clear();
            }
            else
            {
                block.Add(line);
            }
        }
        // Numbered citations: "n. title — url" in the sources; a line with the fact and "[n]".
        if (!cited && sourcesAt >= 0)
        {
            var numbered = new Dictionary<string, string>();
            foreach (Match m in Regex.Matches(answer[sourcesAt..], @"^(\d+)\. .* — (\S+)$", RegexOptions.Multiline))
            {
                numbered[m.Groups[1].Value] = m.Groups[2].Value;
            }
            foreach (var line in body.Split('\n').Where(l => fact.IsMatch(l)))
            {
                cited |= Regex.Matches(line, @"\[(\d+)\]").Any(m => numbered.TryGetValue(m.Groups[1].Value, out var url) && pages.Contains(url));
            }
        }
        return (said, cited);
    }
}
