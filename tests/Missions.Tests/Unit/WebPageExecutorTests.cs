using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Missions.Execution;
using Missions.Tests.Support;

namespace Missions.Tests.Unit;

public sealed class WebPageExecutorTests : IAsyncLifetime
{
    private TestWebsite _site = null!;

    public async Task InitializeAsync() => _site = await TestWebsite.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    private static WebPageExecutor Executor(bool allowPrivate = true, int requestTimeoutSeconds = 15) =>
        new(Options.Create(new ExecutionOptions { AllowPrivateNetworks = allowPrivate, RequestTimeoutSeconds = requestTimeoutSeconds }),
            NullLogger<WebPageExecutor>.Instance);

    private MissionWork Work(int maxPages, params string[] paths) => new(
        "m1", 1, new Objective { Type = "research", Description = "research reminders" },
        new MissionConstraints { AllowedDomains = ["127.0.0.1"], MaxPages = maxPages, MaxDurationSeconds = 60 },
        paths.Select(_site.Url).ToList());

    [Fact]
    public async Task Reads_the_named_page_and_follows_links_within_the_page_budget()
    {
        using var executor = Executor();

        var outcome = await executor.ExecuteAsync(Work(4, "/"), CancellationToken.None);

        Assert.True(outcome.Result.Success);
        Assert.Equal(4, outcome.Result.PagesFetched);
        Assert.Contains("Orleans Field Guide", outcome.Result.FinalAnswer);
        Assert.Contains("Reminders Are Durable", outcome.Result.FinalAnswer);
        Assert.Contains("Reminders persist in storage and survive silo restarts.", outcome.Result.FinalAnswer);
        Assert.Contains("Grains are the building blocks", outcome.Result.FinalAnswer);
        Assert.DoesNotContain("not this", outcome.Result.FinalAnswer);
        Assert.Equal(["html_reader", "http_fetch"], outcome.Result.ToolsUsed);
        Assert.Contains(outcome.Result.Sources, s => s.Title == "Grain Timers");
        Assert.Equal(4, _site.Requests.Count);
        Assert.DoesNotContain("/elsewhere", _site.Requests);
    }

    [Fact]
    public async Task Content_links_are_followed_before_navigation_and_never_off_the_allowed_domains()
    {
        using var executor = Executor();

        await executor.ExecuteAsync(Work(20, "/"), CancellationToken.None);

        Assert.Equal(["/", "/reminders", "/timers", "/nav-only", "/deep"], _site.Requests);
    }

    [Fact]
    public async Task Redirect_off_the_allowed_domains_is_refused_and_one_within_is_followed()
    {
        using var executor = Executor();

        var off = await executor.ExecuteAsync(Work(1, "/redirect-off"), CancellationToken.None);
        var within = await executor.ExecuteAsync(Work(1, "/redirect-in"), CancellationToken.None);

        Assert.False(off.Result.Success);
        Assert.Contains("not on the allowed domains", off.Error);
        Assert.True(within.Result.Success);
        Assert.Contains("Grain Timers", within.Result.FinalAnswer);
    }

    [Fact]
    public async Task Plain_text_is_read_and_binaries_are_skipped()
    {
        using var executor = Executor();

        var outcome = await executor.ExecuteAsync(Work(2, "/file.bin", "/notes.txt"), CancellationToken.None);

        Assert.Contains("Orleans 10 brings durable jobs", outcome.Result.FinalAnswer);
        Assert.Single(outcome.Result.Sources);
        Assert.Contains("text_reader", outcome.Result.ToolsUsed);
    }

    [Fact]
    public async Task Loopback_is_refused_unless_private_networks_are_allowed()
    {
        using var executor = Executor(allowPrivate: false);

        var outcome = await executor.ExecuteAsync(Work(1, "/"), CancellationToken.None);

        Assert.False(outcome.Result.Success);
        Assert.Contains("private, loopback or link-local", outcome.Error);
        Assert.Empty(_site.Requests);
    }

    [Fact]
    public async Task Cancellation_ends_the_run_promptly_with_what_was_read()
    {
        using var executor = Executor();
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var outcome = await executor.ExecuteAsync(Work(3, "/timers", "/slow"), budget.Token);

        Assert.InRange(clock.Elapsed.TotalSeconds, 0.5, 5);
        Assert.True(outcome.Result.Success);
        Assert.Contains("before the time budget ran out", outcome.Result.FinalAnswer);
        Assert.Contains("Grain Timers", outcome.Result.FinalAnswer);
    }

    [Fact]
    public async Task Http_errors_are_reported_per_page()
    {
        using var executor = Executor();

        var outcome = await executor.ExecuteAsync(Work(1, "/missing"), CancellationToken.None);

        Assert.False(outcome.Result.Success);
        Assert.Contains("HTTP 404", outcome.Error);
        Assert.False(outcome.Transient);
    }

    [Fact]
    public async Task Server_errors_and_refused_connections_are_transient_refused_addresses_are_not()
    {
        using var executor = Executor();
        using var blocked = Executor(allowPrivate: false);
        var closed = new MissionWork("m1", 1, new Objective { Type = "fetch", Description = "d" },
            new MissionConstraints { AllowedDomains = ["127.0.0.1"], MaxPages = 1 }, [$"http://127.0.0.1:{FreePort.Next()}/"]);

        var serverError = await executor.ExecuteAsync(Work(1, "/error"), CancellationToken.None);
        var refused = await executor.ExecuteAsync(closed, CancellationToken.None);
        var guarded = await blocked.ExecuteAsync(Work(1, "/"), CancellationToken.None);

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
}
