using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Reliability;

/// <summary>
/// The real web frontend, killed with SIGKILL in the middle of 500 missions and started again on the same data
/// directory: every mission whose request was answered reaches a terminal status, none runs to two ends in one
/// attempt, none is created twice, and the log parses line by line.
/// </summary>
public sealed class CrashRecoveryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Missions = 500;
    private const int Clients = 16;

    public enum KillMoment { WhileSubmitting, JustAfterSubmitting, HalfwayThroughExecution }

    private sealed class Run(string dataDirectory) : IAsyncDisposable
    {
        public AppProcess? App { get; private set; }
        public HttpClient Http { get; private set; } = null!;

        public async Task StartAsync()
        {
            var port = FreePort.Next();
            Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
            App = AppProcess.StartWebFrontend(dataDirectory, port, new Dictionary<string, string>
            {
                ["Missions__Execution__Executor"] = "delay",
                ["Missions__Execution__DelayMilliseconds"] = "300", // long enough that the kill halfway finds runs going on a slow machine
                ["Missions__Execution__MaxConcurrency"] = "16",
                ["Logging__LogLevel__Default"] = "Warning",
            });
            await App.WaitUntilReadyAsync(Http, "readyz", TimeSpan.FromSeconds(60));
        }

        public async Task KillAsync()
        {
            await App!.KillAsync();
            Http.Dispose();
        }

        public async Task<int> CountAsync(string status)
        {
            var page = await Http.GetFromJsonAsync<JsonElement>("api/whiteboard?limit=1");
            return page.GetProperty("counts").GetProperty(status).GetInt32();
        }

        public async ValueTask DisposeAsync()
        {
            if (App is not null)
            {
                await App.DisposeAsync();
            }
            Http?.Dispose();
        }
    }

    /// <summary>Sends the missions not yet answered, each with its own client message id, until all are or the app dies.</summary>
    private static async Task SubmitAsync(HttpClient http, string[] sessions, ConcurrentDictionary<int, string> answered, CancellationToken stop)
    {
        var pending = new ConcurrentQueue<int>(Enumerable.Range(0, Missions).Where(i => !answered.ContainsKey(i)));
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && pending.TryDequeue(out var i))
            {
                try
                {
                    using var response = await http.PostAsJsonAsync("chat/integrated",
                        new { session_id = sessions[i % sessions.Length], message = $"fetch https://example.org/page-{i}", client_message_id = $"m-{i}" }, stop);
                    if (response.IsSuccessStatusCode)
                    {
                        var body = await response.Content.ReadFromJsonAsync<JsonElement>(stop);
                        answered[i] = body.GetProperty("mission_id").GetString()!;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
                {
                    return; // the process is gone; what was not answered is sent again after the restart
                }
            }
        })));
    }

    [Theory]
    [InlineData(KillMoment.WhileSubmitting)]
    [InlineData(KillMoment.JustAfterSubmitting)]
    [InlineData(KillMoment.HalfwayThroughExecution)]
    public async Task Killed_mid_run_and_restarted_every_answered_mission_ends_once(KillMoment moment)
    {
        using var data = new TempDirectory();
        var answered = new ConcurrentDictionary<int, string>();
        string[] sessions;
        await using (var first = new Run(data.Path))
        {
            await first.StartAsync();
            sessions = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Conversations.NewAsync(first.Http)));
            using var stop = new CancellationTokenSource();
            var submitting = SubmitAsync(first.Http, sessions, answered, stop.Token);
            switch (moment)
            {
                case KillMoment.WhileSubmitting:
                    await Eventually.WaitAsync(() => answered.Count >= 150, TimeSpan.FromSeconds(60), "150 answers");
                    break;
                case KillMoment.JustAfterSubmitting:
                    await submitting;
                    break;
                case KillMoment.HalfwayThroughExecution:
                    await submitting;
                    await Eventually.WaitAsync(() => first.CountAsync("completed"), n => n >= Missions / 2, TimeSpan.FromSeconds(60), "half the missions to complete");
                    break;
            }
            await first.KillAsync();
            stop.Cancel();
            await submitting;
        }
        var beforeRestart = answered.Count;

        await using var second = new Run(data.Path);
        await second.StartAsync();
        await SubmitAsync(second.Http, sessions, answered, CancellationToken.None);
        Assert.Equal(Missions, answered.Count);
        await Eventually.WaitAsync(async () => await second.CountAsync("completed"), n => n >= Missions, TimeSpan.FromSeconds(90),
            $"all {Missions} missions to complete ({beforeRestart} answered before the kill)");

        var lines = await File.ReadAllLinesAsync(Path.Combine(data.Path, LogFiles.Missions));
        var events = lines.Select(l => MissionLogReader.ParseLine(Encoding.UTF8.GetBytes(l))).ToList();
        var created = events.OfType<MissionCreated>().GroupBy(e => e.MissionId).ToList();
        Assert.Equal(Missions, created.Count);
        Assert.All(created, g => Assert.Single(g));
        Assert.Equal(answered.Values.Order(), created.Select(g => g.Key).Order());
        var terminal = events.OfType<MissionStatusUpdated>().Where(u => u.Status.IsTerminal()).ToList();
        Assert.All(terminal.GroupBy(u => (u.MissionId, u.Attempt)), g => Assert.Single(g));
        Assert.All(terminal.GroupBy(u => u.MissionId), g => Assert.Equal(MissionStatus.Completed, Assert.Single(g).Status));
        foreach (var mission in events.GroupBy(e => e.MissionId))
        {
            Assert.Equal(Enumerable.Range(1, mission.Count()), mission.Select(e => e.Seq));
        }
        var interrupted = events.OfType<MissionStatusUpdated>().Count(u => u.Reason == "interrupted");
        if (moment == KillMoment.HalfwayThroughExecution)
        {
            Assert.True(interrupted > 0, "the kill should have cut off running missions");
        }
        output.WriteLine($"{moment}: {beforeRestart} of {Missions} answered before the kill; {interrupted} runs interrupted and run again as attempt 2; {lines.Length} lines");
    }
}
