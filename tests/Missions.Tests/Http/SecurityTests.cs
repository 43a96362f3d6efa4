using System.Net;
using System.Text;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Http;

/// <summary>Hostile clients: another site's page, another host name, a stranger looking for session ids.</summary>
[Collection(WebFrontendCollection.Name)]
public sealed class SecurityTests(WebFrontendFixture web)
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("chat/integrated", "{\"message\":\"hello\"}")]
    [InlineData("api/missions/m-1/cancel", "{}")]
    [InlineData("api/missions/m-1/retry", "{}")]
    public async Task A_state_changing_request_with_a_body_that_is_not_json_is_refused_with_415(string path, string body)
    {
        using var form = await web.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Equal("application/problem+json", form.Content.Headers.ContentType?.MediaType);
        Assert.Contains("application/json", JsonDocument.Parse(await form.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("POST", "api/missions/0123456789abcdef0123456789abcdef/cancel", HttpStatusCode.NotFound, "Unknown mission")]
    [InlineData("POST", "api/missions/0123456789abcdef0123456789abcdef/retry", HttpStatusCode.NotFound, "Unknown mission")]
    [InlineData("DELETE", "api/schedules/sch-0123456789abcdef", HttpStatusCode.NotFound, "Unknown schedule")]
    [InlineData("POST", "chat/integrated", HttpStatusCode.BadRequest, "Empty request body")]
    public async Task A_command_needs_no_body_to_pass_the_checks(string method, string path, HttpStatusCode status, string title)
    {
        using var response = await web.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(title, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("Origin", "http://evil.example")]
    [InlineData("Origin", "null")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task A_request_from_another_site_is_refused_with_403_and_changes_nothing(string header, string value)
    {
        var session = await web.NewSessionAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat/integrated")
        {
            Content = Json($"{{\"session_id\":\"{session}\",\"message\":\"research reminders on example.org\"}}"),
        };
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await web.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Cross-site request refused", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
        var conversation = await web.GetJsonAsync($"api/chat/{session}");
        Assert.Equal(0, conversation.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task The_page_itself_may_post_same_origin()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat/integrated") { Content = Json("{\"message\":\"hello\"}") };
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        request.Headers.Add("Origin", web.Http.BaseAddress!.GetLeftPart(UriPartial.Authority));

        using var response = await web.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_host_name_other_than_the_local_ones_is_refused_while_bound_to_loopback()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/queue");
        request.Headers.Host = "rebound.example";

        using var response = await web.Http.SendAsync(request);
        using var local = new HttpRequestMessage(HttpMethod.Get, "api/queue");
        local.Headers.Host = $"localhost:{web.Http.BaseAddress!.Port}";
        using var localResponse = await web.Http.SendAsync(local);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, localResponse.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("api/queue")]
    [InlineData("api/whiteboard")]
    public async Task Responses_carry_the_security_headers(string path)
    {
        using var response = await web.Http.GetAsync(path);

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task A_session_id_is_never_shown_to_anyone_else()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = await web.Http.GetAsync("api/whiteboard/stream", HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(deadline.Token));

        var answer = await web.PostChatAsync(new { message = $"fetch {web.Site.Url("/reminders")} up to 1 pages" });
        var session = answer.GetProperty("session_id").GetString()!;
        var missionId = answer.GetProperty("mission_id").GetString()!;
        var seen = new StringBuilder();
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            seen.AppendLine(line);
            if (line.Contains(missionId) && line.Contains("\"status\":\"completed\""))
            {
                break;
            }
        }

        // Server-made: 96 random bits and the server's MAC of them and their person.
        Assert.Matches("^s-[0-9a-f]{56}$", session);
        var list = await web.Http.GetStringAsync("api/whiteboard?limit=500");
        var view = await web.Http.GetStringAsync($"api/whiteboard/{missionId}");
        Assert.Contains(missionId, list);
        Assert.Contains("mission_created", seen.ToString());
        foreach (var shown in new[] { list, view, seen.ToString() })
        {
            Assert.DoesNotContain(session, shown);
            Assert.DoesNotContain("session_id", shown);
        }
        // Whoever holds the id still reads the conversation.
        Assert.True((await web.GetJsonAsync($"api/chat/{session}")).GetProperty("messages").GetArrayLength() >= 2);
    }
}
