using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Reliability;

/// <summary>SIGTERM: running missions finish within the grace period, waiting ones stay queued for the next start.</summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Sigterm_lets_running_missions_finish_and_leaves_the_rest_queued_for_the_next_start()
    {
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string>
        {
            ["Missions__Execution__Executor"] = "delay",
            ["Missions__Execution__DelayMilliseconds"] = "2500",
            ["Missions__Execution__MaxConcurrency"] = "2",
            ["Missions__Execution__ShutdownGraceSeconds"] = "15",
        };
        var port = FreePort.Next();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var ids = new List<string>();
        await using (var app = AppProcess.StartWebFrontend(data.Path, port, settings))
        {
            await app.WaitUntilReadyAsync(http, "readyz", TimeSpan.FromSeconds(60));
            for (var i = 0; i < 5; i++)
            {
                var reply = await http.PostAsJsonAsync("chat/integrated", new { message = $"fetch https://example.org/{i}" });
                ids.Add((await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("mission_id").GetString()!);
            }
            await Eventually.WaitAsync(async () => (await http.GetFromJsonAsync<JsonElement>("api/queue")).GetProperty("in_flight").GetInt32(),
                n => n == 2, TimeSpan.FromSeconds(10), "two missions to run");
            var clock = Stopwatch.StartNew();

            app.Terminate();
            await app.WaitForExitAsync(TimeSpan.FromSeconds(40));

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"shutdown took {clock.Elapsed}");
            Assert.Contains("finished during shutdown", app.Output);
        }
        http.Dispose();

        var events = (await File.ReadAllLinesAsync(Path.Combine(data.Path, LogFiles.Missions)))
            .Select(l => MissionLogReader.ParseLine(Encoding.UTF8.GetBytes(l))).ToList();
        var last = events.GroupBy(e => e.MissionId).ToDictionary(g => g.Key, g => g.OfType<MissionStatusUpdated>().Last());
        Assert.Equal(2, last.Values.Count(u => u.Status == MissionStatus.Completed && u.Attempt == 1));
        Assert.Equal(3, last.Values.Count(u => u.Status == MissionStatus.Queued));
        Assert.DoesNotContain(events, e => e is MissionStatusUpdated { Reason: "interrupted" });

        port = FreePort.Next();
        using var again = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        await using var restarted = AppProcess.StartWebFrontend(data.Path, port, settings);
        await restarted.WaitUntilReadyAsync(again, "readyz", TimeSpan.FromSeconds(60));
        foreach (var id in ids)
        {
            var mission = await Eventually.WaitAsync(() => again.GetFromJsonAsync<JsonElement>($"api/whiteboard/{id}"),
                m => m.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30), $"mission {id} to complete");
            Assert.Equal(1, mission.GetProperty("attempt").GetInt32());
        }
    }
}
