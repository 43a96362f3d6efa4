using System.Net;
using System.Text;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.People;

/// <summary>
/// Every conversation, mission and schedule belongs to someone: another person's answers as nothing (404) on every
/// endpoint, an operator sees and steers everything, and who made each thing and each decision is on its line.
/// </summary>
[Collection(SignedInCollection.Name)]
public sealed class OwnershipTests(SignedInFixture fixture)
{
    private sealed record Alices(string Session, string Mission, string Proposal, string Schedule);

    private static Alices? _alices;
    private static readonly SemaphoreSlim Making = new(1, 1);

    /// <summary>Alice's conversation, a mission that ran, a proposal and a schedule (made once for the class).</summary>
    private async Task<Alices> AlicesAsync()
    {
        await Making.WaitAsync();
        try
        {
            if (_alices is { } made)
            {
                return made;
            }
            using var alice = await fixture.AsAsync("alice-script");
            var first = await alice.PostChatAsync(new { message = $"fetch {fixture.Site.Url("/timers")}" });
            var session = first.GetProperty("session_id").GetString()!;
            var mission = first.GetProperty("mission_id").GetString()!;
            var proposal = (await alice.PostChatAsync(new { session_id = session, message = $"propose to fetch {fixture.Site.Url("/reminders")}" }))
                .GetProperty("mission_id").GetString()!;
            var schedule = (await alice.PostChatAsync(new { session_id = session, message = $"check {fixture.Site.Url("/timers")} every 10 minutes" }))
                .GetProperty("schedule_id").GetString()!;
            await Eventually.WaitAsync(() => alice.GetJsonAsync($"api/whiteboard/{mission}"), m => m.GetProperty("status").GetString() == "completed",
                TimeSpan.FromSeconds(60), "alice's mission to complete");
            return (_alices = new Alices(session, mission, proposal, schedule));
        }
        finally
        {
            Making.Release();
        }
    }

    [Fact]
    public async Task Another_person_gets_404_from_every_endpoint_for_alices_conversation_missions_and_schedule()
    {
        var a = await AlicesAsync();
        using var bob = await fixture.AsAsync("bob-script");
        using var alice = await fixture.AsAsync("alice-script");
        var alicesMessages = (await alice.GetJsonAsync($"api/chat/{a.Session}")).GetProperty("messages").GetArrayLength();

        var refusals = new (HttpMethod Method, string Path, object? Body, string Title)[]
        {
            (HttpMethod.Get, $"api/chat/{a.Session}", null, "Unknown conversation"),
            (HttpMethod.Post, "chat/integrated", new { session_id = a.Session, message = "status" }, "Unknown conversation"),
            (HttpMethod.Post, "chat/integrated", new { session_id = a.Session, message = $"cancel {a.Mission[..8]}" }, "Unknown conversation"),
            (HttpMethod.Get, $"api/whiteboard/stream?session_id={a.Session}", null, "Unknown conversation"),
            (HttpMethod.Patch, $"api/conversations/{a.Session}", new { title = "mine now" }, "Unknown conversation"),
            (HttpMethod.Patch, $"api/conversations/{a.Session}", new { archived = true }, "Unknown conversation"),
            (HttpMethod.Get, $"api/whiteboard/{a.Mission}", null, "Unknown mission"),
            (HttpMethod.Get, $"api/whiteboard/{a.Proposal}", null, "Unknown mission"),
            (HttpMethod.Post, $"api/missions/{a.Mission}/cancel", null, "Unknown mission"),
            (HttpMethod.Post, $"api/missions/{a.Mission}/retry", null, "Unknown mission"),
            (HttpMethod.Post, $"api/missions/{a.Proposal}/approve", null, "Unknown mission"),
            (HttpMethod.Post, $"api/missions/{a.Proposal}/reject", null, "Unknown mission"),
            (HttpMethod.Get, $"api/schedules/{a.Schedule}", null, "Unknown schedule"),
            (HttpMethod.Post, $"api/schedules/{a.Schedule}/pause", null, "Unknown schedule"),
            (HttpMethod.Post, $"api/schedules/{a.Schedule}/resume", null, "Unknown schedule"),
            (HttpMethod.Delete, $"api/schedules/{a.Schedule}", null, "Unknown schedule"),
        };
        foreach (var (method, path, body, title) in refusals)
        {
            var (status, said) = await bob.SendForStatusAsync(method, path, body);
            Assert.True(status == HttpStatusCode.NotFound && said == title, $"{method} {path}: {(int)status} {said}");
        }

        // Lists show bob nothing of alice's.
        var board = await bob.GetJsonAsync("api/whiteboard?limit=500");
        Assert.DoesNotContain(board.GetProperty("missions").EnumerateArray(), m => m.GetProperty("mission_id").GetString() is var id && (id == a.Mission || id == a.Proposal));
        Assert.Equal(board.GetProperty("missions").GetArrayLength(), board.GetProperty("total").GetInt32());
        // Nor does a search: by the words of her mission's objective and answer, or by her mission's id.
        foreach (var q in new[] { "timers", "grain active", a.Mission[..8], a.Mission })
        {
            var found = await bob.GetJsonAsync($"api/whiteboard?q={Uri.EscapeDataString(q)}");
            Assert.DoesNotContain(found.GetProperty("missions").EnumerateArray(), m => m.GetProperty("mission_id").GetString() is var id && (id == a.Mission || id == a.Proposal));
        }
        await Eventually.WaitAsync(() => alice.GetJsonAsync($"api/whiteboard?q={a.Mission[..8]}"),
            m => m.GetProperty("missions").EnumerateArray().Any(x => x.GetProperty("mission_id").GetString() == a.Mission), TimeSpan.FromSeconds(20), "alice to find her own mission by its id");
        var schedules = await bob.GetJsonAsync("api/schedules");
        Assert.DoesNotContain(schedules.GetProperty("schedules").EnumerateArray(), s => s.GetProperty("schedule_id").GetString() == a.Schedule);
        Assert.DoesNotContain((await bob.GetJsonAsync("api/conversations")).GetProperty("conversations").EnumerateArray(),
            c => c.GetProperty("session_id").GetString() == a.Session);

        // Nothing was written, nothing was decided: alice's things are as they were.
        Assert.Equal(alicesMessages, (await alice.GetJsonAsync($"api/chat/{a.Session}")).GetProperty("messages").GetArrayLength());
        Assert.Equal("proposed", (await alice.GetJsonAsync($"api/whiteboard/{a.Proposal}")).GetProperty("status").GetString());
        Assert.Equal("active", (await alice.GetJsonAsync($"api/schedules/{a.Schedule}")).GetProperty("status").GetString());
        Assert.Contains((await alice.GetJsonAsync("api/conversations")).GetProperty("conversations").EnumerateArray(), c => c.GetProperty("session_id").GetString() == a.Session);
    }

    [Fact]
    public async Task An_operator_sees_and_steers_everyones_and_the_decision_records_who()
    {
        var a = await AlicesAsync();
        using var ops = await fixture.AsAsync(OidcProvider.OperatorClient);
        var me = await ops.GetJsonAsync("api/me");
        Assert.True(me.GetProperty("is_operator").GetBoolean());
        Assert.Equal("/dashboard/", me.GetProperty("dashboard_url").GetString()); // the dashboard shares the page's URLs here

        Assert.Equal("completed", (await ops.GetJsonAsync($"api/whiteboard/{a.Mission}")).GetProperty("status").GetString());
        Assert.True((await ops.GetJsonAsync($"api/chat/{a.Session}")).GetProperty("messages").GetArrayLength() >= 2);
        Assert.Contains((await ops.GetJsonAsync("api/whiteboard?limit=500")).GetProperty("missions").EnumerateArray(), m => m.GetProperty("mission_id").GetString() == a.Mission);
        Assert.Contains((await ops.GetJsonAsync("api/schedules")).GetProperty("schedules").EnumerateArray(), s => s.GetProperty("schedule_id").GetString() == a.Schedule);
        // ?owner=me: an operator's own only.
        Assert.DoesNotContain((await ops.GetJsonAsync("api/whiteboard?limit=500&owner=me")).GetProperty("missions").EnumerateArray(), m => m.GetProperty("mission_id").GetString() == a.Mission);
        // An operator reads a conversation but does not write in someone else's.
        Assert.Equal(HttpStatusCode.NotFound, (await ops.SendForStatusAsync(HttpMethod.Post, "chat/integrated", new { session_id = a.Session, message = "status" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.SendForStatusAsync(HttpMethod.Patch, $"api/conversations/{a.Session}", new { archived = true })).Status);

        using (var pause = await ops.PostAsync($"api/schedules/{a.Schedule}/pause", null))
        {
            Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        }
        using (var resume = await ops.PostAsync($"api/schedules/{a.Schedule}/resume", null))
        {
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        }

        // Who owns it and who decided are on the lines: alice's creation lines, the operator's pause.
        var alice = (await fixture.AsAsync("alice-script")).GetJsonAsync("api/me");
        var aliceId = (await alice).GetProperty("person_id").GetString()!;
        var opsId = me.GetProperty("person_id").GetString()!;
        var lines = File.ReadAllLines(Path.Combine(fixture.DataDirectory, "missions.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var created = lines.Single(l => l.GetProperty("event_type").GetString() == "mission_created" && l.GetProperty("mission_id").GetString() == a.Mission);
        Assert.Equal(aliceId, created.GetProperty("owner").GetString());
        var schedule = lines.Single(l => l.GetProperty("event_type").GetString() == "schedule_created" && l.GetProperty("mission_id").GetString() == a.Schedule);
        Assert.Equal(aliceId, schedule.GetProperty("owner").GetString());
        var paused = lines.Last(l => l.GetProperty("event_type").GetString() == "schedule_state_changed" && l.GetProperty("mission_id").GetString() == a.Schedule
            && l.GetProperty("change").GetString() == "paused");
        Assert.Equal(opsId, paused.GetProperty("by").GetString());
        Assert.Equal("api", paused.GetProperty("via").GetString());
        var chatFirst = File.ReadLines(Path.Combine(fixture.DataDirectory, "chat_sessions.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .First(l => l.GetProperty("session_id").GetString() == a.Session);
        Assert.Equal(aliceId, chatFirst.GetProperty("owner").GetString());
    }

    [Fact]
    public async Task A_decision_records_who_made_it()
    {
        using var carol = await fixture.AsAsync("carol-script");
        var proposal = (await carol.PostChatAsync(new { message = $"propose to fetch {fixture.Site.Url("/timers")}" })).GetProperty("mission_id").GetString()!;
        using (var reject = await carol.PostAsync($"api/missions/{proposal}/reject", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, reject.StatusCode);
        }
        var carolId = (await carol.GetJsonAsync("api/me")).GetProperty("person_id").GetString();
        var view = await carol.GetJsonAsync($"api/whiteboard/{proposal}");
        var rejected = view.GetProperty("timeline").EnumerateArray().Last();
        Assert.Equal("rejected", rejected.GetProperty("reason").GetString());
        Assert.Equal(carolId, rejected.GetProperty("decided_by").GetString());
        Assert.Equal("api", rejected.GetProperty("decided_via").GetString());
    }

    [Fact]
    public async Task A_schedules_runs_cannot_be_planted_from_a_client()
    {
        var a = await AlicesAsync();
        using var bob = await fixture.AsAsync("bob-script");
        // The attack: name the schedule as the conversation and its next firing as the client message id.
        var (status, title) = await bob.SendForStatusAsync(HttpMethod.Post, "chat/integrated",
            new { session_id = a.Schedule, message = $"propose to fetch {fixture.Site.Url("/timers")}", client_message_id = "firing-1" });
        Assert.Equal((HttpStatusCode.NotFound, "Unknown conversation"), (status, title));
        // In a conversation of his own the same client message id names a mission of his own, never a schedule's run.
        var own = await bob.PostChatAsync(new { message = $"propose to fetch {fixture.Site.Url("/timers")}", client_message_id = "firing-1" });
        var planted = own.GetProperty("mission_id").GetString()!;
        Assert.StartsWith("c", planted);
        Assert.NotEqual(ScheduleIds.RunMissionId(a.Schedule, 1), planted);
        using (var reject = await bob.PostAsync($"api/missions/{planted}/reject", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, reject.StatusCode);
        }
    }

    [Fact]
    public async Task A_persons_live_stream_carries_their_own_missions_only()
    {
        var a = await AlicesAsync();
        using var bob = await fixture.AsAsync("bob-script");
        using var alice = await fixture.AsAsync("alice-script");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var stream = await bob.GetAsync("api/whiteboard/stream", HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(deadline.Token));

        var seen = new StringBuilder();
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        var reading = Task.Run(async () =>
        {
            try
            {
                while (await reader.ReadLineAsync(stopReading.Token) is { } line)
                {
                    lock (seen)
                    {
                        seen.AppendLine(line);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        var alices = (await alice.PostChatAsync(new { session_id = a.Session, message = $"fetch {fixture.Site.Url("/reminders")} up to 1 pages" })).GetProperty("mission_id").GetString()!;
        var bobs = (await bob.PostChatAsync(new { message = $"fetch {fixture.Site.Url("/timers")} up to 1 pages" })).GetProperty("mission_id").GetString()!;
        foreach (var (who, id) in new[] { (alice, alices), (bob, bobs) })
        {
            await Eventually.WaitAsync(() => who.GetJsonAsync($"api/whiteboard/{id}"), m => m.GetProperty("status").GetString() == "completed",
                TimeSpan.FromSeconds(30), $"mission {id} to end");
        }
        await Eventually.WaitAsync(() => { lock (seen) { return seen.ToString().Contains(bobs) && seen.ToString().Contains("\"status\":\"completed\""); } },
            TimeSpan.FromSeconds(10), "bob's stream to carry his mission's end");
        // A barrier instead of a pause: the stream is in the log's order, so once a mission of bob's made after both
        // ended has come through, anything of alice's would have come before it.
        var barrier = (await bob.PostChatAsync(new { message = $"fetch {fixture.Site.Url("/timers")}?barrier up to 1 pages" })).GetProperty("mission_id").GetString()!;
        await Eventually.WaitAsync(() => { lock (seen) { return seen.ToString().Contains(barrier); } }, TimeSpan.FromSeconds(10), "bob's barrier mission on his stream");
        stopReading.Cancel();
        await reading;
        Assert.Contains(bobs, seen.ToString());
        Assert.DoesNotContain(alices, seen.ToString());
        Assert.DoesNotContain(a.Schedule, seen.ToString());
    }
}
