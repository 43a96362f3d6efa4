using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Reliability;

/// <summary>
/// The data directory on a 1 MiB tmpfs that fills up: new requests fail with a clear 503, readiness says why,
/// nothing already written is damaged, and the service recovers when space returns.
/// (Mounting needs root, which the test command runs as.)
/// </summary>
public sealed class DiskFullTests
{
    private static void Run(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed: {error}");
        }
    }

    [Fact]
    public async Task Full_disk_gives_a_clear_503_damages_nothing_and_recovers_when_space_returns()
    {
        using var mountPoint = new TempDirectory();
        Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.Path);
        try
        {
            var filler = mountPoint.File("filler.bin");
            await File.WriteAllBytesAsync(filler, new byte[600 * 1024]);
            var port = FreePort.Next();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(20) };
            await using var app = AppProcess.StartWebFrontend(mountPoint.Path, port, new Dictionary<string, string>
            {
                ["Missions__Execution__Executor"] = "noop",
                ["Logging__LogLevel__Default"] = "Warning",
            });
            await app.WaitUntilReadyAsync(http, "readyz", TimeSpan.FromSeconds(60));

            var session = await Conversations.NewAsync(http);
            HttpResponseMessage? refused = null;
            var answered = new List<string>();
            for (var i = 0; i < 2000 && refused is null; i++)
            {
                var response = await http.PostAsJsonAsync("chat/integrated",
                    new { session_id = session, message = $"fetch https://example.org/{i} " + new string('x', 200), client_message_id = $"f-{i}" });
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    refused = response;
                }
                else
                {
                    Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
                    answered.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("mission_id").GetString()!);
                }
            }

            Assert.NotNull(refused);
            Assert.Equal("application/problem+json", refused!.Content.Headers.ContentType?.MediaType);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("The mission log cannot be written", problem.GetProperty("title").GetString());
            Assert.Contains("No space left on device", problem.GetProperty("detail").GetString());
            // What failed, not where: the server's paths are its own.
            Assert.DoesNotContain(mountPoint.Path, problem.GetProperty("detail").GetString());
            using (var ready = await http.GetAsync("readyz"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
                var readiness = await ready.Content.ReadAsStringAsync();
                Assert.Contains("cannot be written", readiness);
                Assert.DoesNotContain(mountPoint.Path, readiness);
            }
            foreach (var file in new[] { LogFiles.Missions, LogFiles.ChatSessions, LogFiles.LearningSignals })
            {
                var text = await File.ReadAllTextAsync(mountPoint.File(file));
                Assert.True(text.Length == 0 || text.EndsWith('\n'), $"{file} ends in a partial line");
                Assert.All(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => JsonDocument.Parse(line));
            }

            File.Delete(filler);

            await Eventually.WaitAsync(async () => (await http.GetAsync("readyz")).StatusCode, s => s == HttpStatusCode.OK,
                TimeSpan.FromSeconds(10), "readiness to recover");
            var after = await http.PostAsJsonAsync("chat/integrated", new { session_id = session, message = "fetch https://example.org/after" });
            Assert.True(after.IsSuccessStatusCode, await after.Content.ReadAsStringAsync());
            answered.Add((await after.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("mission_id").GetString()!);
            foreach (var id in answered)
            {
                await Eventually.WaitAsync(async () => (await http.GetFromJsonAsync<JsonElement>($"api/whiteboard/{id}")).GetProperty("status").GetString(),
                    s => s == "completed", TimeSpan.FromSeconds(30), $"mission {id} to complete after space returned");
            }
            var lines = await File.ReadAllLinesAsync(mountPoint.File(LogFiles.Missions));
            Assert.All(lines, line => MissionLogReader.ParseLine(Encoding.UTF8.GetBytes(line)));
            // The learning signals held back while the disk was full are written once space returned, each once.
            var signals = await Eventually.WaitAsync(
                async () => (await File.ReadAllLinesAsync(mountPoint.File(LogFiles.LearningSignals)))
                    .Select(line => JsonSerializer.Deserialize(line, MissionsJson.Context.LearningSignal)!).ToList(),
                s => answered.All(id => s.Count(signal => signal.MissionId == id) >= 2), TimeSpan.FromSeconds(30), "every mission's learning signals");
            Assert.All(answered, id =>
            {
                Assert.Single(signals, signal => signal.MissionId == id && signal.SignalType == "mission_proposed");
                Assert.Single(signals, signal => signal.MissionId == id && signal.SignalType == "mission_executed" && signal.Success == true);
            });
        }
        finally
        {
            Run("umount", "-l", mountPoint.Path);
        }
    }
}
