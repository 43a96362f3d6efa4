using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Http;

[Collection(WebFrontendCollection.Name)]
public sealed class ChatApiTests(WebFrontendFixture web)
{
    private Task<string> NewSession() => web.NewSessionAsync();

    [Fact]
    public async Task Chat_request_becomes_a_mission_that_completes_with_the_pages_titles_and_reports_back()
    {
        var session = await NewSession();

        var reply = await web.PostChatAsync(new { session_id = session, message = $"research reminders on {web.Site.Root} up to 3 pages" });

        Assert.Equal("mission_started", reply.GetProperty("type").GetString());
        Assert.Equal(session, reply.GetProperty("session_id").GetString());
        // A free slot: the mission is started in the same call that created it.
        Assert.Equal("active", reply.GetProperty("status").GetString());
        var missionId = reply.GetProperty("mission_id").GetString()!;
        Assert.Contains(missionId, reply.GetProperty("message").GetString());

        var mission = await web.WaitForTerminalAsync(missionId);
        Assert.Equal("completed", mission.GetProperty("status").GetString());
        Assert.False(mission.TryGetProperty("session_id", out _)); // the whiteboard is everyone's; the session id is its holder's
        Assert.Equal(3, mission.GetProperty("constraints").GetProperty("max_pages").GetInt32());
        Assert.Equal(["127.0.0.1"], mission.GetProperty("constraints").GetProperty("allowed_domains").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(1, mission.GetProperty("attempt").GetInt32());
        var answer = mission.GetProperty("execution_result").GetProperty("final_answer").GetString();
        Assert.Contains("Orleans Field Guide", answer);
        Assert.Contains("Reminders Are Durable", answer);
        Assert.Contains("http_fetch", mission.GetProperty("execution_result").GetProperty("tools_used").EnumerateArray().Select(t => t.GetString()));
        // One progress line per page read; the home page links to more than three, so the budget is spent.
        Assert.Equal(
            ["mission_created", "mission_status_update", "mission_status_update", "mission_progress", "mission_progress", "mission_progress", "mission_status_update"],
            mission.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("event_type").GetString()));
        Assert.Equal("budget_exhausted", mission.GetProperty("timeline")[6].GetProperty("reason").GetString());
        Assert.Equal(3, mission.GetProperty("execution_result").GetProperty("pages_fetched").GetInt32());
        foreach (var field in new[] { "created_at", "start_time", "end_time" })
        {
            Assert.Equal(JsonValueKind.String, mission.GetProperty(field).ValueKind);
        }

        var conversation = await Eventually.WaitAsync(() => web.GetJsonAsync($"api/chat/{session}"),
            c => c.GetProperty("messages").GetArrayLength() == 3, TimeSpan.FromSeconds(10), "the outcome in the chat");
        var update = conversation.GetProperty("messages")[2];
        Assert.Equal("assistant", update.GetProperty("role").GetString());
        Assert.Equal("mission_update", update.GetProperty("reply_type").GetString());
        Assert.Contains("Reminders Are Durable", update.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Same_client_message_id_returns_the_first_answer_and_creates_one_mission()
    {
        var session = await NewSession();
        var body = new { session_id = session, message = $"fetch {web.Site.Url("/timers")}", client_message_id = "msg-1" };

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => web.PostChatAsync(body)));

        var ids = answers.Select(a => a.GetProperty("mission_id").GetString()).Distinct().ToList();
        var missionId = Assert.Single(ids)!;
        await web.WaitForTerminalAsync(missionId);
        var created = File.ReadLines(Path.Combine(web.DataDirectory, LogFiles.Missions))
            .Count(l => l.Contains("\"mission_created\"") && l.Contains(missionId));
        Assert.Equal(1, created);
        var conversation = await web.GetJsonAsync($"api/chat/{session}");
        var messages = conversation.GetProperty("messages").EnumerateArray().ToList();
        Assert.Single(messages, m => m.GetProperty("role").GetString() == "user");
        Assert.Single(messages, m => m.TryGetProperty("reply_type", out var t) && t.GetString() == "mission_started");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(10)]
    [InlineData(40)]
    public async Task A_client_that_gives_up_mid_request_and_retries_finds_its_one_mission_and_its_message_once(int giveUpAfterMs)
    {
        var session = await NewSession();
        var body = new { session_id = session, message = $"fetch {web.Site.Url("/timers")}?gave-up={giveUpAfterMs}", client_message_id = $"gave-up-{giveUpAfterMs}" };

        // The first try is abandoned by its client part-way (before, during or after the server's appends) …
        using (var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(giveUpAfterMs)))
        {
            try
            {
                using var abandoned = await web.Http.PostAsJsonAsync("chat/integrated", body, giveUp.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
        // … and the retry, with the same client message id, gets the one mission: made by the first try or by itself.
        var retried = await web.PostChatAsync(body);
        var missionId = retried.GetProperty("mission_id").GetString()!;
        Assert.Equal(missionId, (await web.PostChatAsync(body)).GetProperty("mission_id").GetString());
        await web.WaitForTerminalAsync(missionId);
        var created = File.ReadLines(Path.Combine(web.DataDirectory, LogFiles.Missions))
            .Count(l => l.Contains("\"mission_created\"") && l.Contains($"\"session_id\":\"{session}\""));
        Assert.Equal(1, created);
        var messages = (await web.GetJsonAsync($"api/chat/{session}")).GetProperty("messages").EnumerateArray().ToList();
        Assert.Single(messages, m => m.GetProperty("role").GetString() == "user");
        Assert.Single(messages, m => m.TryGetProperty("reply_type", out var t) && t.GetString() == "mission_started");
    }

    [Fact]
    public async Task Two_hundred_concurrent_requests_with_one_objective_in_a_session_join_one_mission()
    {
        var session = await NewSession();
        var message = $"fetch {web.Site.Url("/deep")} up to 2 pages";

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => web.PostChatAsync(new { session_id = session, message, client_message_id = $"c{i}" })));

        var missionId = Assert.Single(answers.Select(a => a.GetProperty("mission_id").GetString()).Distinct())!;
        Assert.Contains(answers, a => a.GetProperty("message").GetString()!.StartsWith("On it"));
        await web.WaitForTerminalAsync(missionId);
        var created = File.ReadLines(Path.Combine(web.DataDirectory, LogFiles.Missions))
            .Count(l => l.Contains("\"mission_created\"") && l.Contains($"\"session_id\":\"{session}\""));
        Assert.Equal(1, created);
    }

    [Fact]
    public async Task Conversational_message_gets_a_reply_and_starts_nothing()
    {
        var before = (await web.GetJsonAsync("api/whiteboard")).GetProperty("total").GetInt32();

        var reply = await web.PostChatAsync(new { session_id = await NewSession(), message = "hello, what can you do?" });

        Assert.Equal("reply", reply.GetProperty("type").GetString());
        Assert.False(reply.TryGetProperty("mission_id", out _));
        Assert.Contains("research", reply.GetProperty("message").GetString());
        Assert.Equal(before, (await web.GetJsonAsync("api/whiteboard")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Missing_session_id_starts_a_new_session()
    {
        var reply = await web.PostChatAsync(new { message = "hi" });

        var session = reply.GetProperty("session_id").GetString();
        Assert.True(Ids.IsValid(session));
        Assert.Equal(2, (await web.GetJsonAsync($"api/chat/{session}")).GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task A_conversation_is_read_in_pages_newest_page_first()
    {
        var session = await NewSession();
        for (var i = 1; i <= 3; i++)
        {
            await web.PostChatAsync(new { session_id = session, message = $"hello {i}" });
        }

        // "seqs | earlier | later"
        static string Page(JsonElement c) =>
            $"{string.Join(',', c.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt32()))}" +
            $" | {c.GetProperty("has_earlier").GetBoolean()} | {c.GetProperty("has_later").GetBoolean()}";

        Assert.Equal("1,2,3,4,5,6 | False | False", Page(await web.GetJsonAsync($"api/chat/{session}")));
        Assert.Equal("3,4,5,6 | True | False", Page(await web.GetJsonAsync($"api/chat/{session}?limit=4")));
        Assert.Equal("1,2 | False | True", Page(await web.GetJsonAsync($"api/chat/{session}?limit=4&before=3")));
        Assert.Equal("5,6 | True | False", Page(await web.GetJsonAsync($"api/chat/{session}?after=4")));
        Assert.Equal("2,3 | True | True", Page(await web.GetJsonAsync($"api/chat/{session}?after=1&limit=2")));
        Assert.Equal(" | True | False", Page(await web.GetJsonAsync($"api/chat/{session}?after=6")));
        Assert.Equal(" | False | False", Page(await web.GetJsonAsync($"api/chat/{await NewSession()}")));
        var third = (await web.GetJsonAsync($"api/chat/{session}?after=4&limit=1")).GetProperty("messages")[0];
        Assert.Equal("hello 3", third.GetProperty("text").GetString());
    }

    public static TheoryData<string, string?, HttpStatusCode, string> RejectedBodies => new()
    {
        { "empty body", "", HttpStatusCode.BadRequest, "Empty request body" },
        { "malformed JSON", "{\"message\": ", HttpStatusCode.BadRequest, "Malformed JSON" },
        { "an array", "[1,2]", HttpStatusCode.BadRequest, "Wrong body" },
        { "no message", "{\"session_id\":\"s1\"}", HttpStatusCode.BadRequest, "Missing message" },
        { "message of the wrong type", "{\"message\": 42}", HttpStatusCode.BadRequest, "Wrong type for message" },
        { "blank message", "{\"message\": \"   \"}", HttpStatusCode.BadRequest, "Empty message" },
        { "session id as a path", "{\"message\":\"hi\",\"session_id\":\"../../etc/passwd\"}", HttpStatusCode.BadRequest, "Invalid session id" },
        { "session id too long", "{\"message\":\"hi\",\"session_id\":\"" + new string('a', 65) + "\"}", HttpStatusCode.BadRequest, "Invalid session id" },
        { "unknown priority", "{\"message\":\"hi\",\"priority\":\"critical\"}", HttpStatusCode.BadRequest, "Invalid priority" },
        { "numeric priority", "{\"message\":\"hi\",\"priority\":\"0\"}", HttpStatusCode.BadRequest, "Invalid priority" },
        { "client id of the wrong type", "{\"message\":\"hi\",\"client_message_id\":[1]}", HttpStatusCode.BadRequest, "Wrong type for client_message_id" },
        { "message over 4000 characters", "{\"message\":\"" + new string('x', 4001) + "\"}", HttpStatusCode.RequestEntityTooLarge, "Too large" },
        { "body over 64 KiB", "{\"message\":\"hi\",\"pad\":\"" + new string('x', 70_000) + "\"}", HttpStatusCode.RequestEntityTooLarge, "Too large" },
    };

    [Theory]
    [MemberData(nameof(RejectedBodies))]
    public async Task Rejected_request_is_a_problem_details_and_writes_nothing(string why, string? body, HttpStatusCode status, string title)
    {
        var missions = Path.Combine(web.DataDirectory, LogFiles.Missions);
        var chats = Path.Combine(web.DataDirectory, LogFiles.ChatSessions);
        var sizes = (File.Exists(missions) ? new FileInfo(missions).Length : 0, File.Exists(chats) ? new FileInfo(chats).Length : 0);

        using var response = await web.Http.PostAsync("chat/integrated", new StringContent(body ?? "", Encoding.UTF8, "application/json"));

        Assert.True(status == response.StatusCode, $"{why}: {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Equal(sizes, (File.Exists(missions) ? new FileInfo(missions).Length : 0, File.Exists(chats) ? new FileInfo(chats).Length : 0));
    }
}
