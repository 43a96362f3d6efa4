using Missions.Research;
using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>Research missions end to end in the cluster: progress lines, the budget's reason, and a retry that reuses its fetches.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ResearchMissionTests(ClusterFixture fixture) : IAsyncLifetime
{
    private TestWebsite _site = null!;

    private MissionClusterHost Host => fixture.Host;

    public async Task InitializeAsync() => _site = await TestWebsite.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    private async Task<string> ChatAsync(string message) =>
        (await Host.Client.GetGrain<IChatSessionGrain>("s-" + Guid.NewGuid().ToString("N")).SendAsync(new ChatRequest { Message = message })).MissionId!;

    [Fact]
    public async Task Each_page_read_is_a_progress_line_and_a_spent_page_budget_ends_completed_as_budget_exhausted()
    {
        var id = await ChatAsync($"fetch where Orleans reminders are stored from {_site.Url("/")} up to 3 pages");

        var view = await Host.WaitForTerminalAsync(id);

        Assert.Equal(MissionStatus.Completed, view.Status);
        var progress = view.Timeline.OfType<MissionProgress>().ToList();
        Assert.Equal([1, 2, 3], progress.Select(p => p.PagesRead));
        Assert.All(progress, p => Assert.Equal(3, p.MaxPages));
        Assert.Equal([_site.Url("/"), _site.Url("/reminders"), _site.Url("/reminders/storage")], progress.Select(p => p.ToolCall.Url));
        Assert.All(progress, p => Assert.Equal(ToolCall.Fetched, p.ToolCall.Outcome));
        Assert.Equal(3, view.PagesRead);
        var end = Assert.IsType<MissionStatusUpdated>(view.Timeline[^1]);
        Assert.Equal("budget_exhausted", end.Reason);
        Assert.Contains("reminder table of the configured reminder service", view.ExecutionResult!.FinalAnswer);
        // A completed mission never runs again: what it fetched is not kept.
        Assert.False(Directory.Exists(Path.Combine(fixture.DataDirectory, ToolCallStore.DirectoryName, id)));
    }

    [Fact]
    public async Task An_ended_mission_keeps_no_fetches_so_a_persons_retry_reads_the_pages_again()
    {
        // The slow page holds the run until its 5-second budget ends: timed out, with /timers read.
        var id = await ChatAsync($"fetch {_site.Url("/timers")} {_site.Url("/slow")} up to 2 pages within 5 seconds");
        var first = await Host.WaitForTerminalAsync(id);
        Assert.Equal(MissionStatus.TimedOut, first.Status);
        Assert.Contains("Timers live only while their grain is active", first.ExecutionResult!.FinalAnswer);
        // Ended (in any status): what it fetched is not kept. (Attempts of one run — after a crash or a transient
        // failure — reuse their fetches: see ResearchAgentTests.)
        Assert.False(Directory.Exists(Path.Combine(fixture.DataDirectory, ToolCallStore.DirectoryName, id)));

        Assert.True((await Host.Mission(id).RetryAsync(Actor.Api(Owners.Local))).Accepted);
        var second = await Host.WaitForStatusAsync(id, s => s.IsTerminal(), "terminal again");

        Assert.Equal(2, second.Attempt);
        var timers = second.Timeline.OfType<MissionProgress>().Where(p => p.ToolCall.Url == _site.Url("/timers")).ToList();
        Assert.Equal([1, 2], timers.Select(p => p.Attempt));
        Assert.Equal(timers[0].ToolCall.Key, timers[1].ToolCall.Key);
        Assert.Equal([ToolCall.Fetched, ToolCall.Fetched], timers.Select(p => p.ToolCall.Outcome));
        Assert.Equal(2, _site.Requests.Count(r => r == "/timers"));
    }
}
