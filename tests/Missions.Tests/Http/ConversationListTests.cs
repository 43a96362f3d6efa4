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
