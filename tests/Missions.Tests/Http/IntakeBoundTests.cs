using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Http;

/// <summary>Past <c>Missions:Execution:MaxQueued</c> waiting missions, new work is refused at once (a process of its own).</summary>
public sealed class IntakeBoundTests
{
    [Fact]
    public async Task Past_the_queue_bound_work_gets_a_fast_503_with_retry_after_and_talk_is_still_answered()
    {
        using var data = new TempDirectory();
        var port = FreePort.Next();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        await using var app = AppProcess.StartWebFrontend(data.Path, port, new Dictionary<string, string>
        {
            ["Missions__Execution__Executor"] = "delay",
            ["Missions__Execution__DelayMilliseconds"] = "20000",
            ["Missions__Execution__MaxConcurrency"] = "1",
            ["Missions__Execution__MaxQueued"] = "2",
            ["Missions__Execution__RetryAfterSeconds"] = "7",
        });
        await app.WaitUntilReadyAsync(http, "healthz", TimeSpan.FromSeconds(60));
        var session = await Conversations.NewAsync(http);
        Task<HttpResponseMessage> Send(string message) => http.PostAsJsonAsync("chat/integrated", new { session_id = session, message });

        for (var i = 1; i <= 3; i++)
        {
            using var accepted = await Send($"research topic {i} on example.org");
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode); // one running, two waiting
        }
        using var refused = await Send("research topic 4 on example.org");
        using var talk = await Send("hello");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Too much work queued", problem.GetProperty("title").GetString());
        Assert.Contains("2 missions are waiting", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, talk.StatusCode);
        // Nothing of the refused request was written: three missions, not four.
        var board = JsonDocument.Parse(await http.GetStringAsync("api/whiteboard")).RootElement;
        Assert.Equal(3, board.GetProperty("total").GetInt32());
        // A retry adds work like a new request: refused while the service is full, and nothing is written.
        var running = board.GetProperty("missions").EnumerateArray().Single(m => m.GetProperty("status").GetString() == "active").GetProperty("mission_id").GetString()!;
        using (var cancel = await http.PostAsync($"api/missions/{running}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }
        var cancelled = await Eventually.WaitAsync(async () => JsonDocument.Parse(await http.GetStringAsync($"api/whiteboard/{running}")).RootElement,
            m => m.GetProperty("status").GetString() == "cancelled", TimeSpan.FromSeconds(30), "the running mission cancelled");
        await Eventually.WaitAsync(async () => JsonDocument.Parse(await http.GetStringAsync("api/whiteboard?limit=1")).RootElement.GetProperty("counts"),
            c => c.GetProperty("active").GetInt32() == 1 && c.GetProperty("queued").GetInt32() == 1, TimeSpan.FromSeconds(10), "the next mission started");
        using var thirdWaiting = await Send("research topic 5 on example.org"); // one started when the cancelled one went: two wait again
        Assert.Equal(HttpStatusCode.OK, thirdWaiting.StatusCode);
        using var retry = await http.PostAsync($"api/missions/{running}/retry", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, retry.StatusCode);
        Assert.Equal("cancelled", JsonDocument.Parse(await http.GetStringAsync($"api/whiteboard/{running}")).RootElement.GetProperty("status").GetString());
        Assert.Equal(cancelled.GetProperty("attempt").GetInt32(), JsonDocument.Parse(await http.GetStringAsync($"api/whiteboard/{running}")).RootElement.GetProperty("attempt").GetInt32());
    }

    [Fact]
    public async Task Proposals_count_as_waiting_work()
    {
        using var data = new TempDirectory();
        var port = FreePort.Next();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        await using var app = AppProcess.StartWebFrontend(data.Path, port, new Dictionary<string, string>
        {
            ["Missions__Execution__Executor"] = "noop",
            ["Missions__Execution__MaxQueued"] = "2",
        });
        await app.WaitUntilReadyAsync(http, "healthz", TimeSpan.FromSeconds(60));
        var session = await Conversations.NewAsync(http);
        Task<HttpResponseMessage> Send(string message) => http.PostAsJsonAsync("chat/integrated", new { session_id = session, message });

        var proposals = new List<string>();
        for (var i = 1; i <= 2; i++)
        {
            using var proposed = await Send($"propose to research topic {i} on example.org");
            Assert.Equal(HttpStatusCode.OK, proposed.StatusCode);
            proposals.Add(JsonDocument.Parse(await proposed.Content.ReadAsStringAsync()).RootElement.GetProperty("mission_id").GetString()!);
        }
        using var refused = await Send("research topic 3 on example.org");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("2 missions are waiting to run or to be approved", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
        // Approving one adds nothing (it was counted as a proposal) and goes through; then the queue drains.
        using var approved = await http.PostAsync($"api/missions/{proposals[0]}/approve", null);
        Assert.Equal(HttpStatusCode.Accepted, approved.StatusCode);
    }
}
