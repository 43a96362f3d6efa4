using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Missions.Tests.Support;
using Xunit.Abstractions;

namespace Missions.Tests.Reliability;

/// <summary>
/// Retention on a real server: killed (SIGKILL, from inside, at the exact point) after each step of a compaction, the
/// next start loses no mission or message and writes none twice; every ended mission is then in the archive once and
/// read by id, every unfinished one live; the idle conversation is read from the archive and not continued, the one
/// that waits for outcomes live.
/// </summary>
public sealed class RetentionTests(ITestOutputHelper output)
{
    private const int Ended = 24;
    private const int Unfinished = 3;

    [Fact]
    public async Task A_server_killed_at_each_step_of_a_compaction_loses_nothing_and_archives_each_ended_mission_once()
    {
        using var dirs = new TempDirectory();
        var pristine = dirs.File("pristine");
        Directory.CreateDirectory(pristine);
        var settings = new Dictionary<string, string>
        {
            ["Missions__Execution__Executor"] = "delay",
            ["Missions__Execution__DelayMilliseconds"] = "5",
            ["Missions__Execution__MaxConcurrency"] = "8",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Missions.Log.MissionLog"] = "Information",
        };
        // Missions that end, then missions that cannot (one runs for ten minutes, the others wait behind it), each in a
        // conversation of their own: the first goes idle, the second waits for outcomes.
        string idle = "", waiting = "";
        await RunAsync(pristine, settings, async http =>
        {
            var session = idle = await Conversations.NewAsync(http);
            for (var i = 0; i < Ended; i++)
            {
                await PostAsync(http, session, $"fetch https://example.org/ended-{i}", $"e-{i}");
            }
            await Eventually.WaitAsync(() => CountAsync(http, "completed"), n => n >= Ended, TimeSpan.FromSeconds(60), "the missions to complete");
        });
        var slow = new Dictionary<string, string>(settings) { ["Missions__Execution__DelayMilliseconds"] = "600000", ["Missions__Execution__MaxConcurrency"] = "1" };
        await RunAsync(pristine, slow, async http =>
        {
            var session = waiting = await Conversations.NewAsync(http);
            for (var i = 0; i < Unfinished; i++)
            {
                await PostAsync(http, session, $"fetch https://example.org/waiting-{i}", $"w-{i}");
            }
            await Eventually.WaitAsync(() => CountAsync(http, "active"), n => n == 1, TimeSpan.FromSeconds(30), "one mission to run");
        });
        var before = LinesPerStream(File.ReadAllLines(Path.Combine(pristine, LogFiles.Missions)));
        var ended = EndedMissions(Path.Combine(pristine, LogFiles.Missions));
        Assert.Equal(Ended, ended.Count);
        Assert.Equal(Ended + Unfinished, before.Count);

        var chatsBefore = LinesPerStream(File.ReadAllLines(Path.Combine(pristine, LogFiles.ChatSessions)), "session_id");
        var retention = new Dictionary<string, string>(slow)
        {
            ["Missions__Retention__EndedMissionDays"] = "0",
            ["Missions__Retention__IdleConversationDays"] = "0",
        };
        // Steps 1–5 move the missions, 6–10 the conversations.
        for (var step = 1; step <= 10; step++)
        {
            var data = dirs.File($"step-{step}");
            CopyDirectory(pristine, data);
            var killed = AppProcess.StartWebFrontend(data, FreePort.Next(),
                new Dictionary<string, string>(retention) { [MissionArchive.CrashAfterStepVariable] = step.ToString() });
            await killed.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(killed.ExitCode == 137, $"step {step}: exit {killed.ExitCode}\n{killed.Output}"); // SIGKILL
            await killed.DisposeAsync();

            // The next start carries on: every mission is somewhere, once.
            await RunAsync(data, retention, async http =>
            {
                foreach (var (id, _) in before)
                {
                    using var response = await http.GetAsync($"api/whiteboard/{id}");
                    Assert.True(response.StatusCode == HttpStatusCode.OK, $"step {step}: mission {id} → {(int)response.StatusCode}");
                    var view = await response.Content.ReadFromJsonAsync<JsonElement>();
                    Assert.Equal(ended.Contains(id), view.GetProperty("archived").GetBoolean());
                }
                // The idle conversation is read from the archive, whole, and not continued; the other is live.
                var conversation = await http.GetFromJsonAsync<JsonElement>($"api/chat/{idle}?limit=500");
                Assert.True(conversation.GetProperty("in_archive").GetBoolean(), $"step {step}: {conversation}");
                Assert.Equal(chatsBefore[idle], conversation.GetProperty("messages").GetArrayLength());
                Assert.False((await http.GetFromJsonAsync<JsonElement>($"api/chat/{waiting}")).GetProperty("in_archive").GetBoolean());
                using (var more = await http.PostAsJsonAsync("chat/integrated", new { session_id = idle, message = "hello again", client_message_id = $"again-{step}" }))
                {
                    Assert.Equal(HttpStatusCode.Gone, more.StatusCode);
                }
                // Read, never changed: a command on an archived mission says so.
                using var retry = await http.PostAsync($"api/missions/{ended.First()}/retry", null);
                Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
                Assert.Contains("archive", await retry.Content.ReadAsStringAsync());
            });
            var live = LinesPerStream(File.ReadAllLines(Path.Combine(data, LogFiles.Missions)));
            var archived = LinesPerStream(MissionArchive.Months(data).SelectMany(m => ReadMonth(Path.Combine(data, MissionArchive.DirectoryName, MissionArchive.MonthFile(m)))));
            foreach (var (id, lines) in before)
            {
                var (inLive, inArchive) = (live.GetValueOrDefault(id), archived.GetValueOrDefault(id));
                Assert.True(ended.Contains(id) ? (inLive, inArchive) == (0, lines) : (inLive >= lines && inArchive == 0),
                    $"step {step}: mission {id} had {lines} lines; now {inLive} live, {inArchive} archived");
            }
            var chatsLive = LinesPerStream(File.ReadAllLines(Path.Combine(data, LogFiles.ChatSessions)), "session_id");
            var chatsArchived = LinesPerStream(MissionArchive.Months(data, MissionArchive.Chats)
                .SelectMany(m => ReadMonth(Path.Combine(data, MissionArchive.DirectoryName, MissionArchive.MonthFile(m, MissionArchive.Chats)))), "session_id");
            Assert.Equal((0, chatsBefore[idle]), (chatsLive.GetValueOrDefault(idle), chatsArchived.GetValueOrDefault(idle)));
            Assert.True(chatsLive[waiting] >= chatsBefore[waiting] && !chatsArchived.ContainsKey(waiting), $"step {step}: the waiting conversation");
            Assert.Empty(Directory.GetFiles(data, "*.partial", SearchOption.AllDirectories));
            output.WriteLine($"killed after step {step}: {archived.Count} missions archived once ({archived.Values.Sum()} lines), {live.Count} live; "
                + $"{chatsArchived.Count} conversation archived ({chatsArchived.Values.Sum()} lines), {chatsLive.Count} live");
        }
    }

    private static async Task RunAsync(string data, Dictionary<string, string> settings, Func<HttpClient, Task> body)
    {
        var port = FreePort.Next();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        await using var app = AppProcess.StartWebFrontend(data, port, settings);
        await app.WaitUntilReadyAsync(http, "readyz", TimeSpan.FromSeconds(60));
        await body(http);
    }

    private static async Task PostAsync(HttpClient http, string session, string message, string clientId)
    {
        using var response = await http.PostAsJsonAsync("chat/integrated", new { session_id = session, message, client_message_id = clientId });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<int> CountAsync(HttpClient http, string status)
    {
        var page = await http.GetFromJsonAsync<JsonElement>("api/whiteboard?limit=1");
        return page.GetProperty("counts").TryGetProperty(status, out var n) ? n.GetInt32() : 0;
    }

    private static Dictionary<string, int> LinesPerStream(IEnumerable<string> lines, string key = "mission_id")
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in lines.Where(l => l.Length > 0))
        {
            var id = JsonDocument.Parse(line).RootElement.GetProperty(key).GetString()!;
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }
        return counts;
    }

    private static HashSet<string> EndedMissions(string log)
    {
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(log).Where(l => l.Length > 0))
        {
            var root = JsonDocument.Parse(line).RootElement;
            if (root.GetProperty("event_type").GetString() == MissionStatusUpdated.EventType)
            {
                last[root.GetProperty("mission_id").GetString()!] = root.GetProperty("status").GetString()!;
            }
        }
        return last.Where(p => MissionStatusExtensions.TryParseWireName(p.Value, out var s) && s.IsTerminal()).Select(p => p.Key).ToHashSet();
    }

    private static IEnumerable<string> ReadMonth(string path)
    {
        using var zip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(zip, Encoding.UTF8);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
