using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Hostile;

/// <summary>
/// The real server (default politeness delay) reads pages written to hurt it. For each: the mission ends within its
/// budget + 10 s, the server's CPU is back to idle, its peak RSS stays under 1.5 GB, no log line reaches 64 KB, and a
/// normal mission right after completes.
/// </summary>
[Collection(HostilePagesCollection.Name)]
public sealed class HostilePageTests(HostilePagesFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int BudgetSeconds = 10;

    [Theory]
    [InlineData("/evil.md", "completed")]
    [InlineData("/big-title", "completed")]
    [InlineData("/many-links", "completed")]
    [InlineData("/bomb", "completed")]
    [InlineData("/loop/a", "failed")]
    [InlineData("/hop", "completed")]
    [InlineData("/slow", "timed_out")]
    [InlineData("long", "completed")]
    public async Task A_hostile_page_ends_within_its_budget_and_leaves_the_server_as_it_was(string path, string expected)
    {
        var url = fixture.Site.Url(path == "long" ? HostileWebsite.LongPath : path);
        var clock = Stopwatch.StartNew();
        var id = await fixture.StartMissionAsync($"research reminders on {url} up to 1 pages within {BudgetSeconds} seconds");

        var view = await fixture.WaitForTerminalAsync(id, TimeSpan.FromSeconds(BudgetSeconds + 10));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(BudgetSeconds + 10), $"{path} took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(expected, view.GetProperty("status").GetString());
        foreach (var e in view.GetProperty("timeline").EnumerateArray().Where(e => e.GetProperty("event_type").GetString() == "mission_progress"))
        {
            Assert.True(!e.GetProperty("tool_call").TryGetProperty("title", out var title) || title.GetString()!.Length <= 300);
        }
        if (path == "/hop")
        {
            // The same host on another port is another origin: its robots.txt is read mid-redirect, without waiting for itself.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"the same-host redirect took {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Contains(HostileWebsite.NormalAnswer, view.GetProperty("execution_result").GetProperty("final_answer").GetString());
        }

        var ended = clock.Elapsed;
        var idleCpu = await fixture.WaitForIdleCpuAsync();
        Assert.True(fixture.App.PeakRssBytes < 1536L * 1024 * 1024, $"peak RSS {fixture.App.PeakRssBytes / 1024 / 1024} MB");
        var longest = fixture.AssertNoLongLogLines();
        output.WriteLine($"{path}: {view.GetProperty("status").GetString()} in {ended.TotalSeconds:0.0} s; CPU in 2 s after: {idleCpu.TotalSeconds:0.00} s; " +
                         $"peak RSS {fixture.App.PeakRssBytes / 1024 / 1024} MB; longest log line {longest:N0} B");
        var normal = await fixture.StartMissionAsync($"research reminders on {fixture.Site.Url("/normal")} up to 1 pages within {BudgetSeconds} seconds ({path})");
        Assert.Equal("completed", (await fixture.WaitForTerminalAsync(normal, TimeSpan.FromSeconds(BudgetSeconds + 10))).GetProperty("status").GetString());
    }
}

public sealed class HostilePagesFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public AppProcess App { get; private set; } = null!;
    public HostileWebsite Site { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Site = await HostileWebsite.StartAsync();
        var port = FreePort.Next();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        // The default politeness delay (500 ms): a pacer that waits for itself shows only with one.
        App = AppProcess.StartWebFrontend(_data.Path, port, new Dictionary<string, string> { ["Missions__Execution__AllowPrivateNetworks"] = "true" });
        await App.WaitUntilReadyAsync(Http, "readyz", TimeSpan.FromSeconds(60));
    }

    public async Task<string> StartMissionAsync(string message)
    {
        using var response = await Http.PostAsJsonAsync("chat/integrated", new { message });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("mission_id").GetString()!;
    }

    public Task<JsonElement> WaitForTerminalAsync(string id, TimeSpan timeout) =>
        Eventually.WaitAsync(async () => JsonDocument.Parse(await Http.GetStringAsync($"api/whiteboard/{id}")).RootElement.Clone(),
            m => m.GetProperty("status").GetString() is "completed" or "failed" or "cancelled" or "timed_out", timeout, $"mission {id} to end");

    /// <summary>Waits (10 s at most) for two seconds in which the server uses under a quarter of a core; returns what it used in them.</summary>
    public async Task<TimeSpan> WaitForIdleCpuAsync()
    {
        var clock = Stopwatch.StartNew();
        var used = TimeSpan.Zero;
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            var before = App.CpuTime;
            await Task.Delay(2000);
            used = App.CpuTime - before;
            if (used < TimeSpan.FromSeconds(0.5))
            {
                return used;
            }
        }
        Assert.Fail($"the server still used {used.TotalSeconds:0.00} s of CPU in 2 s after the mission ended:\n{App.Output[^Math.Min(4000, App.Output.Length)..]}");
        return used;
    }

    /// <summary>Every line of every log is under 64 KB; returns the longest, in bytes.</summary>
    public int AssertNoLongLogLines()
    {
        var longest = 0;
        foreach (var file in Directory.GetFiles(_data.Path, "*.jsonl"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var number = 0;
            while (reader.ReadLine() is { } line)
            {
                number++;
                var bytes = System.Text.Encoding.UTF8.GetByteCount(line);
                Assert.True(bytes < 64 * 1024, $"{Path.GetFileName(file)} line {number} is {bytes} bytes");
                longest = Math.Max(longest, bytes);
            }
        }
        return longest;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
        await Site.DisposeAsync();
        _data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class HostilePagesCollection : ICollectionFixture<HostilePagesFixture>
{
    public const string Name = "hostile pages";
}
