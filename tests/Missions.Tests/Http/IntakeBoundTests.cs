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
    }
}
