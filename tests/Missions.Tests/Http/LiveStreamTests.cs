using System.Diagnostics;
using System.Text.Json;

namespace Missions.Tests.Http;

[Collection(WebFrontendCollection.Name)]
public sealed class LiveStreamTests(WebFrontendFixture web)
{
    private sealed record SseEvent(string Id, string Kind, JsonElement Data, TimeSpan At);

    /// <summary>Reads Server-Sent Events until <paramref name="until"/> says stop (or the deadline passes).</summary>
    private async Task<List<SseEvent>> ReadAsync(string query, string? lastEventId, Func<SseEvent, bool> until, Func<Task>? afterConnect = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/whiteboard/stream" + query);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await web.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
        var clock = Stopwatch.StartNew();
        if (afterConnect is not null)
        {
            await afterConnect();
        }
        var events = new List<SseEvent>();
        string? id = null, kind = null, data = null;
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.StartsWith("id: "))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: "))
            {
                kind = line[7..];
            }
            else if (line.StartsWith("data: "))
            {
                data = line[6..];
            }
            else if (line.Length == 0 && kind is not null)
            {
                var e = new SseEvent(id ?? "", kind, JsonDocument.Parse(data ?? "{}").RootElement.Clone(), clock.Elapsed);
                events.Add(e);
                if (until(e))
                {
                    return events;
                }
                id = kind = data = null;
            }
        }
        return events;
    }

    private static bool IsTerminalOf(SseEvent e, string missionId) =>
        e.Kind == "mission" && e.Data.GetProperty("mission_id").GetString() == missionId
        && e.Data.TryGetProperty("status", out var s) && s.GetString() is "completed" or "failed" or "cancelled" or "timed_out";

    [Fact]
    public async Task Stream_carries_the_missions_changes_and_the_sessions_chat_live()
    {
        var session = await web.NewSessionAsync();
        string? missionId = null;

        var events = await ReadAsync($"?session_id={session}", null,
            e => missionId is not null && e.Kind == "chat" && e.Data.TryGetProperty("reply_type", out var t) && t.GetString() == "mission_update",
            async () => missionId = (await web.PostChatAsync(new { session_id = session, message = $"fetch {web.Site.Url("/timers")}" }))
                .GetProperty("mission_id").GetString());

        var mine = events.Where(e => e.Kind == "mission" && e.Data.GetProperty("mission_id").GetString() == missionId).ToList();
        Assert.Equal(["mission_created", "mission_status_update", "mission_status_update", "mission_progress", "mission_status_update"],
            mine.Select(e => e.Data.GetProperty("event_type").GetString()));
        Assert.Equal("completed", mine[^1].Data.GetProperty("status").GetString());
        Assert.All(events.Where(e => e.Kind == "chat"), e => Assert.Equal(session, e.Data.GetProperty("session_id").GetString()));
        Assert.Equal(3, events.Count(e => e.Kind == "chat"));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task Reconnecting_with_last_event_id_misses_nothing()
    {
        string? missionId = null;
        var first = await ReadAsync("", null, e => missionId is not null && e.Kind == "mission" && e.Data.GetProperty("mission_id").GetString() == missionId,
            async () => missionId = (await web.PostChatAsync(new { message = $"fetch {web.Site.Url("/reminders")}" })).GetProperty("mission_id").GetString());
        await web.WaitForTerminalAsync(missionId!);

        var replayed = await ReadAsync("", first[^1].Id, e => IsTerminalOf(e, missionId!));
        Assert.Equal("ready", replayed[0].Kind); // resumed, not asked to reload

        // /reminders and the two pages it links to: a progress line each.
        Assert.Equal(["mission_status_update", "mission_status_update", "mission_progress", "mission_progress", "mission_progress", "mission_status_update"],
            replayed.Where(e => e.Kind == "mission" && e.Data.GetProperty("mission_id").GetString() == missionId).Select(e => e.Data.GetProperty("event_type").GetString()));
    }

    [Fact]
    public async Task Last_event_id_from_another_run_asks_the_client_to_reload()
    {
        var events = await ReadAsync("", "123abc-5", _ => true);

        Assert.Equal("reset", events.Single().Kind);
    }

    [Fact]
    public async Task An_id_is_a_place_in_the_logs_and_one_that_is_not_a_line_start_or_past_the_end_asks_to_reload()
    {
        var opened = (await ReadAsync("", null, _ => true)).Single();
        Assert.Equal("ready", opened.Kind);
        var parts = opened.Id.Split('.');
        Assert.Equal(2, parts.Length);
        var (missions, chats) = (long.Parse(parts[0]), long.Parse(parts[1]));

        // Its own id resumes ("ready"); one byte into a line, or past the end of a log, does not.
        Assert.Equal("ready", (await ReadAsync("", opened.Id, _ => true)).Single().Kind);
        if (missions > 0)
        {
            Assert.Equal("reset", (await ReadAsync("", $"{missions - 1}.{chats}", _ => true)).Single().Kind);
        }
        Assert.Equal("reset", (await ReadAsync("", $"{missions + 1_000_000_000}.{chats}", _ => true)).Single().Kind);
        Assert.Equal("reset", (await ReadAsync("", $"{missions}.-1", _ => true)).Single().Kind);
    }

    [Fact]
    public async Task Invalid_session_id_is_refused()
    {
        using var response = await web.Http.GetAsync("api/whiteboard/stream?session_id=../x");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }
}
