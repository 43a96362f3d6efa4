using System.Net;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Http;

[Collection(WebFrontendCollection.Name)]
public sealed class ApprovalAndScheduleApiTests(WebFrontendFixture web)
{
    [Theory]
    [InlineData("GET", "api/schedules/not-a-schedule", HttpStatusCode.BadRequest, "Invalid schedule id")]
    [InlineData("GET", "api/schedules/sch-0000000000000000", HttpStatusCode.NotFound, "Unknown schedule")]
    [InlineData("GET", "api/schedules?session_id=bad%2Fid", HttpStatusCode.BadRequest, "Invalid session id")]
    [InlineData("POST", "api/schedules/sch-0000000000000000/pause", HttpStatusCode.NotFound, "Unknown schedule")]
    [InlineData("POST", "api/schedules/has%20space/resume", HttpStatusCode.BadRequest, "Invalid schedule id")]
    [InlineData("DELETE", "api/schedules/sch-0000000000000000", HttpStatusCode.NotFound, "Unknown schedule")]
    [InlineData("POST", "api/missions/doesnotexist/approve", HttpStatusCode.NotFound, "Unknown mission")]
    [InlineData("POST", "api/missions/has%20space/reject", HttpStatusCode.BadRequest, "Invalid mission id")]
    public async Task Bad_requests_are_problem_details(string method, string path, HttpStatusCode status, string title)
    {
        using var response = await SendAsync(method, path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(title, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_proposal_is_approved_or_rejected_over_http_once()
    {
        var session = await web.NewSessionAsync();
        var kept = await web.PostChatAsync(new { session_id = session, message = $"propose to fetch {web.Site.Url("/timers")}" });
        var dropped = await web.PostChatAsync(new { session_id = session, message = $"draft a mission to fetch {web.Site.Url("/missing")}" });
        Assert.Equal("mission_proposed", kept.GetProperty("type").GetString());
        var keptId = kept.GetProperty("mission_id").GetString()!;
        var droppedId = dropped.GetProperty("mission_id").GetString()!;
        Assert.Equal("proposed", (await web.GetJsonAsync($"api/whiteboard/{keptId}")).GetProperty("status").GetString());
        Assert.Contains(keptId, (await web.GetJsonAsync("api/whiteboard?status=proposed&limit=500")).GetProperty("missions").EnumerateArray().Select(m => m.GetProperty("mission_id").GetString()));

        using var approve = await SendAsync("POST", $"api/missions/{keptId}/approve");
        using var reject = await SendAsync("POST", $"api/missions/{droppedId}/reject");
        using var again = await SendAsync("POST", $"api/missions/{keptId}/approve");

        Assert.Equal(HttpStatusCode.Accepted, approve.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, reject.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("not waiting for approval", await again.Content.ReadAsStringAsync());
        Assert.Equal("completed", (await web.WaitForTerminalAsync(keptId)).GetProperty("status").GetString());
        var rejected = await web.GetJsonAsync($"api/whiteboard/{droppedId}");
        Assert.Equal("cancelled", rejected.GetProperty("status").GetString());
        Assert.Equal("rejected", rejected.GetProperty("timeline").EnumerateArray().Last().GetProperty("reason").GetString());
        // Rejected through the API, so the chat is told.
        await Eventually.WaitAsync(() => web.GetJsonAsync($"api/chat/{session}"),
            c => c.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("text").GetString()!.Contains($"Mission {droppedId} cancelled")),
            TimeSpan.FromSeconds(10), "the rejection in the chat");
    }

    [Fact]
    public async Task A_schedule_is_listed_paused_resumed_and_deleted_over_http()
    {
        var session = await web.NewSessionAsync();
        var set = await web.PostChatAsync(new { session_id = session, message = $"check {web.Site.Url("/timers")} every 10 minutes" });
        Assert.Equal("schedule_created", set.GetProperty("type").GetString());
        var id = set.GetProperty("schedule_id").GetString()!;

        var mine = await ScheduleInListAsync(session, id);
        Assert.Equal(session, mine.GetProperty("session_id").GetString());
        Assert.Equal("every 10 minutes", mine.GetProperty("cadence").GetString());
        Assert.Equal("active", mine.GetProperty("status").GetString());
        Assert.InRange(mine.GetProperty("next_run").GetDateTime() - DateTime.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10.1));
        Assert.False((await ScheduleInListAsync(null, id)).TryGetProperty("session_id", out _)); // a session id is shown to its session only

        using (var pause = await SendAsync("POST", $"api/schedules/{id}/pause"))
        {
            Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        }
        var paused = await ScheduleInListAsync(session, id);
        Assert.Equal("paused", paused.GetProperty("status").GetString());
        Assert.False(paused.TryGetProperty("next_run", out _));
        using (var twice = await SendAsync("POST", $"api/schedules/{id}/pause"))
        {
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        }
        using (var resume = await SendAsync("POST", $"api/schedules/{id}/resume"))
        {
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        }
        Assert.Equal("active", (await ScheduleInListAsync(session, id)).GetProperty("status").GetString());

        using (var delete = await SendAsync("DELETE", $"api/schedules/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }
        await Eventually.WaitAsync(() => web.GetJsonAsync("api/schedules"),
            l => l.GetProperty("schedules").EnumerateArray().All(s => s.GetProperty("schedule_id").GetString() != id), TimeSpan.FromSeconds(10), "the deleted schedule off the list");
        Assert.Equal("deleted", (await web.GetJsonAsync($"api/schedules/{id}")).GetProperty("status").GetString());
        using var again = await SendAsync("DELETE", $"api/schedules/{id}");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    /// <summary>A change, sent as the page sends it (JSON: the service refuses a change that is not).</summary>
    private Task<HttpResponseMessage> SendAsync(string method, string path) =>
        web.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json") });

    /// <summary>The schedule as the list shows it, once the list (read from the log) has it in the state last asked for.</summary>
    private async Task<JsonElement> ScheduleInListAsync(string? session, string id)
    {
        var list = await Eventually.WaitAsync(() => web.GetJsonAsync("api/schedules" + (session is null ? "" : $"?session_id={session}")),
            l => l.GetProperty("schedules").EnumerateArray().Any(s => s.GetProperty("schedule_id").GetString() == id), TimeSpan.FromSeconds(10), "the schedule in the list");
        return list.GetProperty("schedules").EnumerateArray().Single(s => s.GetProperty("schedule_id").GetString() == id);
    }
}
