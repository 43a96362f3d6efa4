using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Http;

/// <summary>A person's conversations: listed, renamed, archived and restored, kept by the server.</summary>
[Collection(WebFrontendCollection.Name)]
public sealed class ConversationListTests(WebFrontendFixture web)
{
    private async Task<JsonElement?> ListedAsync(string session, bool archived = false)
    {
        var list = await web.Http.GetJsonAsync("api/conversations" + (archived ? "?archived=true" : ""));
        return list.GetProperty("conversations").EnumerateArray().Where(c => c.GetProperty("session_id").GetString() == session)
            .Select(c => (JsonElement?)c).FirstOrDefault();
    }

    private async Task<JsonElement> PatchAsync(string session, object change)
    {
        using var response = await web.Http.PatchAsJsonAsync($"api/conversations/{session}", change);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<string[]> LinesAsync(string session) =>
        [.. (await web.Http.GetJsonAsync($"api/chat/{session}")).GetProperty("messages").EnumerateArray()
            .Select(m => m.GetProperty("role").GetString() + (m.TryGetProperty("reply_type", out var t) ? "/" + t.GetString() : ""))];

    [Fact]
    public async Task A_conversation_is_renamed_archived_listed_apart_and_restored_by_writing_in_it()
    {
        var session = await web.NewSessionAsync();
        await web.PostChatAsync(new { session_id = session, message = "hello, a conversation to rename" });
        Assert.Equal("hello, a conversation to rename", (await ListedAsync(session))!.Value.GetProperty("title").GetString());

        var renamed = await PatchAsync(session, new { title = "  Reminders\tresearch  " });
        Assert.Equal("Reminders research", renamed.GetProperty("title").GetString());
        var listed = (await ListedAsync(session))!.Value;
        Assert.Equal("Reminders research", listed.GetProperty("title").GetString());
        Assert.False(listed.GetProperty("archived").GetBoolean());

        await PatchAsync(session, new { archived = true });
        Assert.Null(await ListedAsync(session));
        Assert.True((await ListedAsync(session, archived: true))!.Value.GetProperty("archived").GetBoolean());
        await PatchAsync(session, new { archived = true, title = "Reminders research" }); // already so: nothing written
        Assert.Equal(["user", "assistant/reply", "conversation/conversation_renamed", "conversation/conversation_archived"], await LinesAsync(session));

        // Written in again, it is back in the list, keeping its name.
        await web.PostChatAsync(new { session_id = session, message = "thanks" });
        Assert.Null(await ListedAsync(session, archived: true));
        Assert.Equal("Reminders research", (await ListedAsync(session))!.Value.GetProperty("title").GetString());

        await PatchAsync(session, new { archived = true });
        await PatchAsync(session, new { archived = false });
        Assert.NotNull(await ListedAsync(session));
        Assert.EndsWith("conversation/conversation_restored", (await LinesAsync(session))[^1]);
    }

    [Fact]
    public async Task A_result_is_new_until_the_person_marks_it_read_which_moves_nothing_and_writes_once()
    {
        var session = await web.NewSessionAsync();
        var mission = (await web.PostChatAsync(new { session_id = session, message = $"fetch {web.Site.Url("/timers")}" })).GetProperty("mission_id").GetString()!;
        await web.WaitForTerminalAsync(mission);
        // The outcome is posted into the conversation: a result its person has not seen.
        await Eventually.WaitAsync(() => LinesAsync(session), lines => lines.Contains("assistant/mission_update"), TimeSpan.FromSeconds(20), "the outcome in the chat");
        var before = (await ListedAsync(session))!.Value;
        Assert.True(before.GetProperty("unread").GetBoolean());
        var lines = await LinesAsync(session);

        // Marked read (past the end: up to the last message); then again, and earlier: nothing more is written.
        var marked = await PatchAsync(session, new { read_through = 1_000 });
        Assert.Equal(1_000, marked.GetProperty("read_through").GetInt32());
        await PatchAsync(session, new { read_through = lines.Length });
        await PatchAsync(session, new { read_through = 1 });
        var after = (await ListedAsync(session))!.Value;
        Assert.False(after.GetProperty("unread").GetBoolean());
        Assert.Equal(lines.Length, after.GetProperty("read_through").GetInt32());
        Assert.Equal(lines.Append("conversation/conversation_read").ToArray(), await LinesAsync(session));
        // Looking does not move it up the list, nor count as a message.
        Assert.Equal(before.GetProperty("last_activity").GetDateTime(), after.GetProperty("last_activity").GetDateTime());
        Assert.Equal(before.GetProperty("messages").GetInt32(), after.GetProperty("messages").GetInt32());

        // The person's own message counts as having seen what came before it.
        var second = (await web.PostChatAsync(new { session_id = session, message = $"fetch {web.Site.Url("/timers")}?again=1" })).GetProperty("mission_id").GetString()!;
        await web.WaitForTerminalAsync(second);
        await Eventually.WaitAsync(() => ListedAsync(session), c => c!.Value.GetProperty("unread").GetBoolean(), TimeSpan.FromSeconds(20), "the second outcome to be new");
    }

    [Fact]
    public async Task Bad_changes_are_refused_with_what_to_send_and_change_nothing()
    {
        var session = await web.NewSessionAsync();
        await web.PostChatAsync(new { session_id = session, message = "hello, bad changes" });
        var cases = new (string Body, string Title)[]
        {
            ("", "Empty request body"),
            ("{}", "Nothing to change"),
            ("[]", "Wrong body"),
            ("{\"title\":", "Malformed JSON"),
            ("{\"title\": \"\"}", "Invalid title"),
            ("{\"title\": \"   \"}", "Invalid title"),
            ("{\"title\": \"" + new string('x', 81) + "\"}", "Invalid title"),
            ("{\"title\": \"a\\u0001b\"}", "Invalid title"),
            ("{\"title\": \"\\ud800\"}", "Invalid title"),
            ("{\"title\": 5}", "Wrong type for title"),
            ("{\"archived\": \"yes\"}", "Wrong type for archived"),
            ("{\"read_through\": 0}", "Wrong type for read_through"),
            ("{\"read_through\": -3}", "Wrong type for read_through"),
            ("{\"read_through\": 1.5}", "Wrong type for read_through"),
            ("{\"read_through\": 1e20}", "Wrong type for read_through"),
            ("{\"read_through\": \"2\"}", "Wrong type for read_through"),
            ("{\"title\": \"" + new string('x', 5000) + "\"}", "Too large"),
        };
        foreach (var (body, title) in cases)
        {
            using var request = new HttpRequestMessage(HttpMethod.Patch, $"api/conversations/{session}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await web.Http.SendAsync(request);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, $"{body}: {(int)response.StatusCode} {problem}");
            Assert.Equal(title, problem.GetProperty("title").GetString());
        }
        Assert.Equal(["user", "assistant/reply"], await LinesAsync(session));

        // A conversation nothing was said in, an id that is not one, a filter that is not true or false.
        var unused = await web.NewSessionAsync();
        Assert.Equal((HttpStatusCode.NotFound, "Unknown conversation"), await web.Http.SendForStatusAsync(HttpMethod.Patch, $"api/conversations/{unused}", new { title = "x" }));
        Assert.Equal(HttpStatusCode.BadRequest, (await web.Http.SendForStatusAsync(HttpMethod.Patch, "api/conversations/..%2F..", new { title = "x" })).Status);
        Assert.Equal((HttpStatusCode.BadRequest, "Invalid archived"), await web.Http.SendForStatusAsync(HttpMethod.Get, "api/conversations?archived=maybe"));
    }
}
