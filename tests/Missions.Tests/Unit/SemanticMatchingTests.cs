using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Missions.Execution;
using Missions.Research;
using Missions.Tests.Support;

namespace Missions.Tests.Unit;

/// <summary>Semantic matching is a help, never a condition: fused with BM25 when there is a model, the lexical path without.</summary>
public sealed class SemanticMatchingTests : IAsyncLifetime
{
    private TestWebsite _site = null!;
    private readonly TempDirectory _data = new();

    public async Task InitializeAsync() => _site = await TestWebsite.StartAsync();

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        _data.Dispose();
    }

    private MissionWork Work(string question) => new(
        Ids.NewMissionId(), 1, new Objective { Type = "research", Description = question },
        new MissionConstraints { AllowedDomains = ["127.0.0.1"], MaxPages = 5, MaxDurationSeconds = 60 }, [_site.Url("/")]);

    /// <summary>A "model" that knows one thing: texts that speak of expiring are near a question about taking too long.</summary>
    private static float[][] KnowsExpiry(string[] texts, CancellationToken _) =>
        [.. texts.Select((t, i) => i == 0 || t.Contains("expire", StringComparison.OrdinalIgnoreCase) ? new float[] { 1, 0 } : [0, 1])];

    [Fact]
    public async Task A_model_that_fails_is_one_warning_and_the_lexical_answer()
    {
        var logger = new CountingLogger();
        var failing = new SemanticMatcher((_, _) => throw new InvalidOperationException("model file is corrupt"), logger);
        using var lexical = ResearchAgentTests.Agent(Path.Combine(_data.Path, "a"));
        using var withFailingModel = ResearchAgentTests.Agent(Path.Combine(_data.Path, "b"), semantic: failing);

        var expected = await lexical.ExecuteAsync(Work("research where Orleans reminders are stored"), CancellationToken.None);
        var first = await withFailingModel.ExecuteAsync(Work("research where Orleans reminders are stored"), CancellationToken.None);
        var second = await withFailingModel.ExecuteAsync(Work("research where Orleans reminders are stored"), CancellationToken.None);

        Assert.True(first.Result.Success);
        Assert.Equal(expected.Result.Answer, first.Result.Answer);
        Assert.Equal(expected.Result.Sources.Select(s => s.Url), first.Result.Sources.Select(s => s.Url));
        Assert.True(second.Result.Success);
        Assert.Equal(1, logger.Warnings); // said once, not per page or per mission
    }

    [Fact]
    public async Task Off_asks_no_model()
    {
        var asked = 0;
        var off = new SemanticMatcher(Options.Create(new ResearchOptions { Semantic = false }), NullLogger<SemanticMatcher>.Instance);

        Assert.False(off.Enabled);
        Assert.Null(await off.SimilaritiesAsync("q", ["a"], CancellationToken.None));
        var counting = new SemanticMatcher((texts, ct) => { asked++; return KnowsExpiry(texts, ct); }, NullLogger.Instance);
        Assert.NotNull(await counting.SimilaritiesAsync("q", ["a", "expires"], CancellationToken.None));
        Assert.Equal(1, asked);
    }

    [Fact]
    public async Task A_passage_the_model_finds_near_rises_with_bm25s_order_fused()
    {
        var matcher = new SemanticMatcher(KnowsExpiry, NullLogger.Instance);
        var page = new PageContent { Url = "https://docs.example/subprocess", Title = "subprocess", Reader = PageReader.HtmlReader };
        var passages = new[]
        {
            new RankedPassage(new Passage("run", "subprocess.run takes a timeout argument; run waits for the command."), page, 5),
            new RankedPassage(new Passage("run", "The timeout argument is passed to Popen.communicate."), page, 4),
            new RankedPassage(new Passage("run", "If the timeout expires, the child process will be killed and TimeoutExpired raised."), page, 3),
        };

        var similarities = await matcher.SimilaritiesAsync("what happens when subprocess.run takes longer than its timeout", [.. passages.Select(p => p.Passage.Text)], CancellationToken.None);
        var fused = ExtractiveAnswer.Fuse(passages, similarities!);

        Assert.Equal([0.0, 0, 1.0], similarities!.Select(s => Math.Round(s, 3)));
        Assert.Equal([passages[0], passages[2], passages[1]], fused); // BM25's first stays near the top; the expiry passage rises
    }

    [Fact]
    public void The_models_similarity_orders_links_the_words_leave_tied()
    {
        var frontier = new CrawlFrontier(Terms.OfQuestion("which meters does the runtime publish"));
        var site = new Uri("https://docs.example/");
        frontier.OfferLinks(site, [new PageLink(new Uri(site, "/silos/").ToString(), "Silos"), new PageLink(new Uri(site, "/observability/").ToString(), "Observability")], 1);

        frontier.SetSimilarity(new Uri(site, "/observability/"), 0.4);
        frontier.SetSimilarity(new Uri(site, "/silos/"), 0.1);

        Assert.True(frontier.TryTakeNext(out var first, out _));
        Assert.Equal("/observability/", first.AbsolutePath);
    }

    private sealed class CountingLogger : ILogger
    {
        public int Warnings;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Interlocked.Increment(ref Warnings);
            }
        }
    }
}
