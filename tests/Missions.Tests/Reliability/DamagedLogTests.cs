using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Reliability;

/// <summary>The real process started on a log with a corrupt line in the middle and a torn last line.</summary>
public sealed class DamagedLogTests
{
    [Fact]
    public async Task Process_starts_on_a_damaged_log_skips_the_corrupt_line_cuts_the_torn_one_and_goes_on()
    {
        using var data = new TempDirectory();
        var log = data.File(LogFiles.Missions);
        const string done = "00000000000000000000000000000001", waiting = "00000000000000000000000000000002";
        string Created(string id) =>
            $$"""{"event_type":"mission_created","mission_id":"{{id}}","seq":1,"timestamp":"2026-11-28T10:00:00Z","session_id":"s1","objective":{"type":"fetch","description":"fetch https://example.org/{{id}}"},"constraints":{"allowed_domains":["example.org"],"max_pages":1,"max_duration_seconds":60},"source_message":"m"}""";
        string Status(string id, int seq, string status) =>
            $$"""{"event_type":"mission_status_update","mission_id":"{{id}}","seq":{{seq}},"timestamp":"2026-11-28T10:00:01Z","status":"{{status}}","attempt":1,"reason":"r"}""";
        await File.WriteAllTextAsync(log, string.Join('\n',
            Created(done), Status(done, 2, "queued"), "{this line is corrupt", Status(done, 3, "completed"),
            Created(waiting), Status(waiting, 2, "queued")) + "\n" + """{"event_type":"mission_status_update","mission_id":"000""");

        var port = FreePort.Next();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        await using var app = AppProcess.StartWebFrontend(data.Path, port, new Dictionary<string, string> { ["Missions__Execution__Executor"] = "noop" });
        await app.WaitUntilReadyAsync(http, "readyz", TimeSpan.FromSeconds(60));

        var finished = await http.GetFromJsonAsync<JsonElement>($"api/whiteboard/{done}");
        Assert.Equal("completed", finished.GetProperty("status").GetString());
        // The mission left queued before the "crash" runs now, and its lines go on a clean line after the cut.
        await Eventually.WaitAsync(async () => (await http.GetFromJsonAsync<JsonElement>($"api/whiteboard/{waiting}")).GetProperty("status").GetString(),
            s => s == "completed", TimeSpan.FromSeconds(20), "the queued mission to run after the restart");
        var lines = await File.ReadAllLinesAsync(log);
        Assert.Single(lines, l => l == "{this line is corrupt");
        Assert.All(lines.Where(l => l != "{this line is corrupt"), l => MissionLogReader.ParseLine(Encoding.UTF8.GetBytes(l)));
        Assert.Contains("torn line", app.Output);
        Assert.Contains("1 malformed lines", app.Output);
    }
}
