using System.Net;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Http;

[Collection(WebFrontendCollection.Name)]
public sealed class WhiteboardApiTests(WebFrontendFixture web)
{
    [Theory]
    [InlineData("api/whiteboard/has%20space", HttpStatusCode.BadRequest, "Invalid mission id")]
    [InlineData("api/whiteboard/" + "0123456789012345678901234567890123456789012345678901234567890123456789", HttpStatusCode.BadRequest, "Invalid mission id")]
    [InlineData("api/whiteboard/doesnotexist", HttpStatusCode.NotFound, "Unknown mission")]
    [InlineData("api/whiteboard?status=finished", HttpStatusCode.BadRequest, "Unknown status")]
    [InlineData("api/whiteboard?limit=0", HttpStatusCode.BadRequest, "Invalid limit")]
    [InlineData("api/whiteboard?limit=100000", HttpStatusCode.BadRequest, "Invalid limit")]
    [InlineData("api/whiteboard?limit=ten", HttpStatusCode.BadRequest, "Invalid limit")]
    [InlineData("api/whiteboard?q=" + "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789", HttpStatusCode.BadRequest, "Search too long")]
    [InlineData("api/whiteboard?from=yesterday", HttpStatusCode.BadRequest, "Not a date")]
    [InlineData("api/whiteboard?to=2026-13-40", HttpStatusCode.BadRequest, "Not a date")]
    [InlineData("api/whiteboard?from=1e9", HttpStatusCode.BadRequest, "Not a date")]
    [InlineData("api/whiteboard?from=2026-12-08&to=2026-12-01", HttpStatusCode.BadRequest, "Dates the wrong way round")]
    [InlineData("api/chat/bad%2Fid", HttpStatusCode.BadRequest, "Invalid session id")]
    [InlineData("api/chat/s-1?limit=0", HttpStatusCode.BadRequest, "Invalid limit")]
    [InlineData("api/chat/s-1?limit=501", HttpStatusCode.BadRequest, "Invalid limit")]
    [InlineData("api/chat/s-1?before=0", HttpStatusCode.BadRequest, "Invalid before")]
    [InlineData("api/chat/s-1?after=-1", HttpStatusCode.BadRequest, "Invalid after")]
    [InlineData("api/chat/s-1?after=1e3", HttpStatusCode.BadRequest, "Invalid after")]
    [InlineData("api/chat/s-1?after=99999999999", HttpStatusCode.BadRequest, "Invalid after")]
    [InlineData("api/chat/s-1?before=5&after=2", HttpStatusCode.BadRequest, "Invalid page")]
    public async Task Bad_reads_are_problem_details(string path, HttpStatusCode status, string title)
    {
        using var response = await web.Http.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(title, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task List_is_newest_first_and_filters_by_status()
    {
        var session = await web.NewSessionAsync();
        var first = (await web.PostChatAsync(new { session_id = session, message = $"fetch {web.Site.Url("/timers")}" })).GetProperty("mission_id").GetString()!;
        var second = (await web.PostChatAsync(new { session_id = session, message = $"fetch {web.Site.Url("/missing")}" })).GetProperty("mission_id").GetString()!;
        await web.WaitForTerminalAsync(first);
        Assert.Equal("failed", (await web.WaitForTerminalAsync(second)).GetProperty("status").GetString());

        var all = await web.GetJsonAsync("api/whiteboard?limit=2");
        var failed = await web.GetJsonAsync("api/whiteboard?status=failed&limit=500");

        Assert.Equal([second, first], all.GetProperty("missions").EnumerateArray().Select(m => m.GetProperty("mission_id").GetString()));
        Assert.All(failed.GetProperty("missions").EnumerateArray(), m => Assert.Equal("failed", m.GetProperty("status").GetString()));
        Assert.Contains(second, failed.GetProperty("missions").EnumerateArray().Select(m => m.GetProperty("mission_id").GetString()));
        Assert.True(all.GetProperty("counts").GetProperty("completed").GetInt32() >= 1);
    }

    [Fact]
    public async Task Search_finds_missions_by_objective_answer_id_and_date()
    {
        var session = await web.NewSessionAsync();
        var timers = (await web.PostChatAsync(new { session_id = session, message = $"fetch {web.Site.Url("/timers")}" })).GetProperty("mission_id").GetString()!;
        var missing = (await web.PostChatAsync(new { session_id = session, message = $"fetch {web.Site.Url("/missing")}" })).GetProperty("mission_id").GetString()!;
        await web.WaitForTerminalAsync(timers);
        await web.WaitForTerminalAsync(missing);

        async Task<List<string>> FindAsync(string query)
        {
            var page = await web.GetJsonAsync("api/whiteboard?limit=500&" + query);
            Assert.True(page.GetProperty("search").GetProperty("complete").GetBoolean());
            return page.GetProperty("missions").EnumerateArray().Select(m => m.GetProperty("mission_id").GetString()!).ToList();
        }

        // The answer's words ("Timers live only while their grain is active") — indexed as the mission ended, a moment
        // after the whiteboard shows it ended.
        await Eventually.WaitAsync(() => FindAsync("q=grain+ACTIVE"), found => found.Contains(timers), TimeSpan.FromSeconds(20), "the answer's words to be found");
        Assert.DoesNotContain(missing, await FindAsync("q=grain+active"));
        Assert.Contains(missing, await FindAsync("q=missing"));          // the objective's words (its URL's)
        // The error's words: indexed as its end was (rounds of a tenth of a second; later than the whiteboard under load).
        await Eventually.WaitAsync(() => FindAsync("q=404"), found => found.Contains(missing), TimeSpan.FromSeconds(20), "the error's words to be found");
        Assert.Equal([timers], await FindAsync($"q={timers[..8]}"));      // an id's start
        Assert.Equal([timers], await FindAsync($"q={timers[..8]}&status=completed"));
        Assert.Empty(await FindAsync($"q={timers[..8]}&status=failed"));
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        Assert.Contains(timers, await FindAsync($"q=timers&from={today}&to={today}"));
        Assert.Empty(await FindAsync($"q=timers&to=2000-01-01"));
        Assert.Contains(timers, await FindAsync($"from={Uri.EscapeDataString(DateTime.UtcNow.AddHours(-1).ToString("O"))}"));
        Assert.Empty(await FindAsync("q=%27%22%3C%3E%21"));
    }

    [Fact]
    public async Task Failed_mission_says_why()
    {
        var reply = await web.PostChatAsync(new { message = $"fetch {web.Site.Url("/missing")}" });

        var mission = await web.WaitForTerminalAsync(reply.GetProperty("mission_id").GetString()!);

        Assert.Equal("failed", mission.GetProperty("status").GetString());
        Assert.Contains("HTTP 404", mission.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Metrics_dashboard_and_trace_ids_are_served()
    {
        var reply = await web.PostChatAsync(new { message = $"fetch {web.Site.Url("/timers")}" });
        var mission = await web.WaitForTerminalAsync(reply.GetProperty("mission_id").GetString()!);

        var metrics = await web.Http.GetStringAsync("metrics");
        using var dashboard = await web.Http.GetAsync("dashboard/");
        using var dashboardScript = await web.Http.GetAsync("dashboard/index.min.js"); // mapped off the start-up path

        var traceId = mission.GetProperty("trace_id").GetString();
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        // One trace from the chat request to the end, with no exporter configured: every line carries it.
        Assert.All(mission.GetProperty("timeline").EnumerateArray(), e => Assert.Equal(traceId, e.GetProperty("trace_id").GetString()));
        Assert.Contains("missions_created_total", metrics);
        Assert.Contains("missions_ended_total{", metrics);
        Assert.Contains("missions_pages_fetched_total", metrics);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal(HttpStatusCode.OK, dashboardScript.StatusCode);
        Assert.True((await dashboardScript.Content.ReadAsByteArrayAsync()).Length > 10_000);
    }

    [Fact]
    public async Task Each_mission_keeps_its_own_trace_when_the_queue_is_full()
    {
        // More missions than the eight slots: the rest start when another mission's end frees a slot, in that
        // mission's turn of the queue; their lines must still carry the trace of the chat that created them.
        var replies = await Task.WhenAll(Enumerable.Range(1, 14).Select(i => web.PostChatAsync(new { message = $"fetch {web.Site.Url($"/topics/{i}")} up to 1 pages" })));
        var missions = await Task.WhenAll(replies.Select(r => web.WaitForTerminalAsync(r.GetProperty("mission_id").GetString()!)));

        Assert.Equal(14, missions.Select(m => m.GetProperty("trace_id").GetString()).Distinct().Count());
        Assert.All(missions, mission =>
        {
            var traceId = mission.GetProperty("trace_id").GetString();
            Assert.Matches("^[0-9a-f]{32}$", traceId);
            Assert.All(mission.GetProperty("timeline").EnumerateArray(), e => Assert.Equal(traceId, e.GetProperty("trace_id").GetString()));
        });
    }

    [Fact]
    public async Task Queue_reports_its_size_in_flight_and_limit()
    {
        var queue = await web.GetJsonAsync("api/queue");

        Assert.Equal(8, queue.GetProperty("concurrency_limit").GetInt32());
        Assert.True(queue.GetProperty("size").GetInt32() >= 0);
        Assert.True(queue.GetProperty("in_flight").GetInt32() >= 0);
    }
}
