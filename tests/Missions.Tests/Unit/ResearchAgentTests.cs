using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Missions.Execution;
using Missions.Log;
using Missions.LanguageModel;
using Missions.Research;
using Missions.Tests.Support;

namespace Missions.Tests.Unit;

/// <summary>The research agent against the local test website: what it reads, in what order, and what it answers.</summary>
public sealed class ResearchAgentTests : IAsyncLifetime
{
    private const string StorageQuestion = "research where Orleans reminders are stored";

    private TestWebsite _site = null!;
    private readonly TempDirectory _data = new();

    public async Task InitializeAsync() => _site = await TestWebsite.StartAsync();

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        _data.Dispose();
    }

    internal static ResearchAgent Agent(string dataDirectory, bool allowPrivate = true, int requestTimeoutSeconds = 15,
        int politenessMs = 0, int maxResponseBytes = 2 * 1024 * 1024, LlmOptions? llm = null, SemanticMatcher? semantic = null) =>
        Agent(dataDirectory, new LlmClient(Options.Create(llm ?? new LlmOptions())), allowPrivate, requestTimeoutSeconds, politenessMs, maxResponseBytes, semantic);

    private static ResearchAgent Agent(string dataDirectory, LlmClient llm, bool allowPrivate, int requestTimeoutSeconds, int politenessMs,
        int maxResponseBytes, SemanticMatcher? semantic) =>
        new(Options.Create(new ExecutionOptions
            {
                AllowPrivateNetworks = allowPrivate, RequestTimeoutSeconds = requestTimeoutSeconds,
                PolitenessDelayMilliseconds = politenessMs, MaxResponseBytes = maxResponseBytes,
            }),
            new ToolCallStore(Options.Create(new MissionsOptions { DataDirectory = dataDirectory }), NullLogger<ToolCallStore>.Instance),
            new LlmAnswerWriter(llm, NullLogger<LlmAnswerWriter>.Instance),
            NullLogger<ResearchAgent>.Instance, semantic, new LlmLinkChooser(llm, NullLogger<LlmLinkChooser>.Instance));

    private ResearchAgent Agent(bool allowPrivate = true, int requestTimeoutSeconds = 15, int politenessMs = 0, int maxResponseBytes = 2 * 1024 * 1024) =>
        Agent(_data.Path, allowPrivate, requestTimeoutSeconds, politenessMs, maxResponseBytes);

    private MissionWork Work(int maxPages, string question, params string[] paths) => Work(maxPages, question, null, paths);

    private MissionWork Work(int maxPages, string question, IExecutionProgress? progress, params string[] paths) => new(
        "m1", 1, new Objective { Type = "research", Description = question },
        new MissionConstraints { AllowedDomains = ["127.0.0.1"], MaxPages = maxPages, MaxDurationSeconds = 60 },
        paths.Select(_site.Url).ToList(), progress);

    [Fact]
    public async Task Finds_the_answer_two_links_deep_best_first_and_cites_it()
    {
        using var agent = Agent();

        var outcome = await agent.ExecuteAsync(Work(3, StorageQuestion + " up to 3 pages", "/"), CancellationToken.None);

        // Twelve topic links and the navigation sit between the home page and the answer: best-first goes straight there.
        Assert.Equal(["/", "/reminders", "/reminders/storage"], _site.PageRequests);
        var answer = outcome.Result.FinalAnswer;
        var passage = answer.IndexOf("reminders are stored in the reminder table of the configured reminder service", StringComparison.Ordinal);
        Assert.True(passage > 0, answer);
        var citation = answer.IndexOf("— Reminder Storage (" + _site.Url("/reminders/storage") + ")", StringComparison.Ordinal);
        Assert.True(citation > passage, answer);
        Assert.True(outcome.Result.Success);
        Assert.Equal(3, outcome.Result.PagesFetched);
        Assert.Contains(outcome.Result.Sources, s => s.Title == "Reminder Storage" && s.Url == _site.Url("/reminders/storage"));
        Assert.DoesNotContain("not this", answer);
        // Links were left unread when the page budget ran out: a partial answer, and it says so.
        Assert.True(outcome.BudgetExhausted);
        Assert.Contains("Partial answer: the page budget (3) was spent", answer);
        // The answer first: the sentence that answers, cited [3] (the third page read), before how it was found.
        Assert.StartsWith(outcome.Result.Answer!, answer);
        Assert.EndsWith("[3]", outcome.Result.Answer);
        Assert.Contains("reminder table", outcome.Result.Answer);
        var cited = Assert.Single(outcome.Result.Citations);
        Assert.Equal((3, _site.Url("/reminders/storage"), "Reminder Storage"), (cited.N, cited.Url, cited.Title));
        Assert.Contains(cited.Quote, outcome.Result.Answer);
        Assert.Equal(["html_reader", "http_fetch", "sitemap"], outcome.Result.ToolsUsed);
    }

    [Fact]
    public async Task Without_a_question_it_reads_breadth_first_content_links_before_navigation()
    {
        using var agent = Agent();

        await agent.ExecuteAsync(Work(4, "fetch", "/"), CancellationToken.None);

        Assert.Equal(["/", "/reminders", "/timers", "/topics/1"], _site.PageRequests);
    }

    [Fact]
    public async Task Robots_txt_is_honoured_for_links_and_for_the_pages_a_mission_names()
    {
        using var agent = Agent();

        var crawl = await agent.ExecuteAsync(Work(30, "research the reminders archive", "/"), CancellationToken.None);
        var named = await agent.ExecuteAsync(Work(1, "read it", "/private/reminders-archive"), CancellationToken.None);

        Assert.DoesNotContain(_site.Requests, p => p.StartsWith("/private/", StringComparison.Ordinal));
        Assert.Contains(crawl.Result.Notes, n => n.Contains("robots.txt of 127.0.0.1", StringComparison.Ordinal) && n.Contains("/private/reminders-archive", StringComparison.Ordinal));
        Assert.False(named.Result.Success);
        Assert.Contains("robots.txt forbids it", named.Error);
        Assert.False(named.Transient);
        Assert.Single(_site.Requests, "/robots.txt"); // read once per site, then kept
    }

    [Fact]
    public async Task From_a_sites_root_its_sitemap_leads_to_pages_no_link_reaches_never_off_the_domains()
    {
        using var agent = Agent();

        var outcome = await agent.ExecuteAsync(Work(2, "research the persistence faq", "/"), CancellationToken.None);

        Assert.Equal(["/", "/faq/reminder-persistence"], _site.PageRequests);
        Assert.Contains("reminder persistence is the job of the reminder table", outcome.Result.FinalAnswer);
        Assert.Contains("sitemap", outcome.Result.ToolsUsed);
    }

    [Fact]
    public async Task Redirect_off_the_allowed_domains_is_refused_and_one_within_is_followed()
    {
        using var agent = Agent();

        var off = await agent.ExecuteAsync(Work(1, "fetch", "/redirect-off"), CancellationToken.None);
        var within = await agent.ExecuteAsync(Work(1, "fetch", "/redirect-in"), CancellationToken.None);

        Assert.False(off.Result.Success);
        Assert.Contains("not on the allowed domains", off.Error);
        Assert.False(off.Transient);
        Assert.True(within.Result.Success);
        Assert.Contains("Timers live only while their grain is active", within.Result.FinalAnswer);
        Assert.Equal(_site.Url("/timers"), within.Result.Sources.Single().Url);
    }

    [Fact]
    public async Task Plain_text_and_markdown_are_read_binaries_are_skipped()
    {
        using var agent = Agent();
        var progress = new RecordingProgress();

        var outcome = await agent.ExecuteAsync(Work(5, "research timers", progress, "/file.bin", "/download", "/notes.txt", "/guide.md"), CancellationToken.None);

        Assert.Contains("Timers tick while the grain is active", outcome.Result.FinalAnswer);
        Assert.Contains(outcome.Result.Sources, s => s.Title == "Grain Guide");
        Assert.Contains(outcome.Result.Sources, s => s.Title == "Release notes");
        Assert.Contains("text_reader", outcome.Result.ToolsUsed);
        Assert.DoesNotContain("/file.bin", _site.Requests); // known binary extension: not even requested
        Assert.Contains(progress.Calls, c => c.Call.Url.EndsWith("/download", StringComparison.Ordinal) && c.Call.Outcome == ToolCall.Skipped);
        Assert.DoesNotContain(outcome.Result.Sources, s => s.Url.EndsWith("/download", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_huge_page_is_read_only_up_to_the_size_cap()
    {
        using var agent = Agent(maxResponseBytes: 256 * 1024);

        var outcome = await agent.ExecuteAsync(Work(1, "fetch", "/huge"), CancellationToken.None);

        Assert.True(outcome.Result.Success, outcome.Error);
        Assert.DoesNotContain("the end marker", outcome.Result.FinalAnswer);
        // The page streams out slowly: the agent is done once it has its 256 KiB, long before the 32 MiB are sent.
        Assert.InRange(_site.HugeBytesWritten, 64 * 1024, 8 * 1024 * 1024);
    }

    [Fact]
    public async Task A_slow_page_times_out_on_its_own_and_the_rest_is_read()
    {
        using var agent = Agent(requestTimeoutSeconds: 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var outcome = await agent.ExecuteAsync(Work(2, "research timers", "/slow", "/timers"), CancellationToken.None);

        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 6);
        Assert.True(outcome.Result.Success);
        Assert.Contains(outcome.Result.Notes, n => n.Contains("timed out after 1 s", StringComparison.Ordinal));
        Assert.Contains("Timers live only while their grain is active", outcome.Result.FinalAnswer);
    }

    [Fact]
    public async Task Requests_to_a_host_are_spaced_by_the_politeness_delay()
    {
        using var agent = Agent(politenessMs: 300);

        await agent.ExecuteAsync(Work(3, StorageQuestion, "/"), CancellationToken.None);

        var times = _site.Arrivals.Select(a => a.At).ToList();
        Assert.True(times.Count >= 5, string.Join(", ", _site.Requests)); // robots.txt, sitemap.xml, 3 pages
        var gaps = times.Zip(times.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= 280, $"gaps {string.Join(", ", gaps.Select(g => g.ToString("0")))} ms"));
    }

    [Fact]
    public async Task When_time_runs_out_it_ends_promptly_with_a_partial_answer_from_what_was_read()
    {
        using var agent = Agent();
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var outcome = await agent.ExecuteAsync(Work(3, "research timers", "/timers", "/slow"), budget.Token);

        Assert.InRange(clock.Elapsed.TotalSeconds, 0.5, 5);
        Assert.True(outcome.Result.Success);
        Assert.Contains("Partial answer: the time budget ran out after reading 1 page", outcome.Result.FinalAnswer);
        Assert.Contains("Timers live only while their grain is active", outcome.Result.FinalAnswer);
    }

    [Fact]
    public async Task Each_page_is_reported_with_an_idempotency_key_and_a_retry_reuses_what_was_fetched()
    {
        var first = new RecordingProgress();
        var second = new RecordingProgress();
        ExecutionOutcome attempt1, attempt2;
        using (var agent = Agent())
        {
            attempt1 = await agent.ExecuteAsync(Work(3, StorageQuestion, first, "/"), CancellationToken.None);
        }
        var requestsAfterFirst = _site.PageRequests.Count;
        using (var agent = Agent()) // a new process, say, after a crash
        {
            attempt2 = await agent.ExecuteAsync(Work(3, StorageQuestion, second, "/") with { Attempt = 2 }, CancellationToken.None);
        }

        Assert.Equal([1, 2, 3], first.Calls.Select(c => c.PagesRead));
        Assert.All(first.Calls, c => Assert.Equal(ToolCall.Fetched, c.Call.Outcome));
        Assert.Equal(3, first.Calls.Select(c => c.Call.Key).Distinct().Count());
        Assert.Equal(first.Calls.Select(c => c.Call.Key), second.Calls.Select(c => c.Call.Key));
        Assert.All(second.Calls, c => Assert.Equal(ToolCall.Reused, c.Call.Outcome));
        Assert.Equal(requestsAfterFirst, _site.PageRequests.Count); // nothing fetched again
        Assert.Equal(3, attempt2.Result.PagesReused);
        Assert.Equal(attempt1.Result.FinalAnswer, attempt2.Result.FinalAnswer);
    }

    [Fact]
    public async Task Loopback_is_refused_unless_private_networks_are_allowed()
    {
        using var agent = Agent(allowPrivate: false);

        var outcome = await agent.ExecuteAsync(Work(1, "fetch", "/"), CancellationToken.None);

        Assert.False(outcome.Result.Success);
        Assert.Contains("private, loopback or link-local", outcome.Error);
        Assert.Empty(_site.Requests);
    }

    [Fact]
    public async Task Http_errors_are_reported_per_page()
    {
        using var agent = Agent();

        var outcome = await agent.ExecuteAsync(Work(1, "fetch", "/missing"), CancellationToken.None);

        Assert.False(outcome.Result.Success);
        Assert.Contains("HTTP 404", outcome.Error);
        Assert.False(outcome.Transient);
    }

    [Fact]
    public async Task Server_errors_and_refused_connections_are_transient_refused_addresses_are_not()
    {
        using var agent = Agent();
        using var blocked = Agent(allowPrivate: false);
        var closed = new MissionWork("m2", 1, new Objective { Type = "fetch", Description = "d" },
            new MissionConstraints { AllowedDomains = ["127.0.0.1"], MaxPages = 1 }, [$"http://127.0.0.1:{FreePort.Next()}/"]);

        var serverError = await agent.ExecuteAsync(Work(1, "fetch", "/error"), CancellationToken.None);
        var refused = await agent.ExecuteAsync(closed, CancellationToken.None);
        var guarded = await blocked.ExecuteAsync(Work(1, "fetch", "/"), CancellationToken.None);

        Assert.True(serverError.Transient, serverError.Error);
        Assert.True(refused.Transient, refused.Error);
        Assert.False(guarded.Transient, guarded.Error);
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.20.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("93.184.216.34", true)]
    [InlineData("2606:4700::1111", true)]
    public void Only_public_addresses_are_reachable(string address, bool isPublic) =>
        Assert.Equal(isPublic, NetworkGuard.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("https://example.com/a", true)]
    [InlineData("https://docs.example.com/a", true)]
    [InlineData("https://www.example.com/", true)]
    [InlineData("https://notexample.com/", false)]
    [InlineData("https://example.com.evil.org/", false)]
    [InlineData("https://user:pw@example.com/", false)]
    [InlineData("ftp://example.com/", false)]
    public void Allowed_domains_cover_their_subdomains_only(string url, bool allowed) =>
        Assert.Equal(allowed, DomainRules.IsAllowed(new Uri(url), ["example.com"]));

    private sealed class RecordingProgress : IExecutionProgress
    {
        public List<(int PagesRead, ToolCall Call)> Calls { get; } = [];

        public Task PageReadAsync(int pagesRead, ToolCall toolCall)
        {
            lock (Calls)
            {
                Calls.Add((pagesRead, toolCall));
            }
            return Task.CompletedTask;
        }
    }
}
