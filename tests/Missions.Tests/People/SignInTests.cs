using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using Missions.Tests.Support;

namespace Missions.Tests.People;

/// <summary>Who may ask: a token from the configured provider, nothing else; per-person limits; operators' surfaces.</summary>
[Collection(SignedInCollection.Name)]
public sealed class SignInTests(SignedInFixture fixture)
{
    [Theory]
    [InlineData("GET", "api/whiteboard")]
    [InlineData("GET", "api/me")]
    [InlineData("GET", "api/conversations")]
    [InlineData("GET", "api/schedules")]
    [InlineData("GET", "api/queue")]
    [InlineData("GET", "api/whiteboard/stream")]
    [InlineData("POST", "chat/integrated")]
    [InlineData("POST", "api/conversations")]
    public async Task Without_a_token_every_api_is_401_with_a_problem(string method, string path)
    {
        using var anonymous = fixture.Anonymous();
        var (status, title) = await anonymous.SendForStatusAsync(new HttpMethod(method), path, method == "POST" ? new { message = "hello" } : null);
        Assert.Equal((HttpStatusCode.Unauthorized, "Sign in first"), (status, title));
    }

    [Fact]
    public async Task The_page_shell_and_health_need_no_sign_in_and_login_goes_to_the_provider()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("healthz")).StatusCode);
        using var login = await anonymous.GetAsync("login?return_url=/%3Fsession%3Dx");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.StartsWith(fixture.Provider.Issuer + "connect/authorize", login.Headers.Location!.ToString());
        Assert.Contains("code_challenge=", login.Headers.Location!.Query);
    }

    [Fact]
    public async Task A_script_gets_a_token_and_uses_the_api_with_it()
    {
        using var dave = await fixture.AsAsync("dave-script");
        var me = await dave.GetJsonAsync("api/me");
        Assert.StartsWith("p-", me.GetProperty("person_id").GetString());
        Assert.Equal("dave-script", me.GetProperty("name").GetString());
        Assert.False(me.GetProperty("is_operator").GetBoolean());
        Assert.False(me.TryGetProperty("dashboard_url", out var dashboard) && dashboard.ValueKind == JsonValueKind.String); // not an operator: no link
        var answer = await dave.PostChatAsync(new { message = $"fetch {fixture.Site.Url("/timers")} up to 1 pages" });
        var mission = answer.GetProperty("mission_id").GetString()!;
        await Eventually.WaitAsync(() => dave.GetJsonAsync($"api/whiteboard/{mission}"), m => m.GetProperty("status").GetString() == "completed",
            TimeSpan.FromSeconds(60), "dave's mission to complete");
        // The same person with a fresh token is the same person.
        using var again = fixture.WithToken(await fixture.Provider.TokenForAsync("dave-script"));
        Assert.Equal(me.GetProperty("person_id").GetString(), (await again.GetJsonAsync("api/me")).GetProperty("person_id").GetString());
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync($"api/whiteboard/{mission}")).StatusCode);
    }

    [Fact]
    public async Task An_expired_a_foreign_or_a_garbled_token_is_401()
    {
        var now = DateTime.UtcNow;
        var expired = fixture.Provider.MakeToken("user-alice-script", now.AddHours(-2), now.AddHours(-1));
        var foreign = fixture.Provider.MakeToken("user-alice-script", now.AddMinutes(-1), now.AddHours(1), new RsaSecurityKey(RSA.Create(2048)) { KeyId = "tests" });
        var valid = fixture.Provider.MakeToken("user-alice-script", now.AddMinutes(-1), now.AddHours(1));
        foreach (var token in new[] { expired, foreign, "not-a-token", valid[..^4] + "AAAA" })
        {
            using var http = fixture.WithToken(token);
            var (status, _) = await http.SendForStatusAsync(HttpMethod.Get, "api/whiteboard");
            Assert.Equal(HttpStatusCode.Unauthorized, status);
        }
        using var signed = fixture.WithToken(valid); // the control: the same token, well signed and in date, is accepted
        Assert.Equal(HttpStatusCode.OK, (await signed.GetAsync("api/whiteboard")).StatusCode);
    }

    [Fact]
    public async Task The_dashboard_and_metrics_are_for_operators()
    {
        using var anonymous = fixture.Anonymous();
        using var erin = await fixture.AsAsync("erin-script");
        using var ops = await fixture.AsAsync(OidcProvider.OperatorClient);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await erin.GetAsync("metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await erin.GetAsync("dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("metrics")).StatusCode);
    }

    [Fact]
    public async Task A_person_past_their_waiting_limit_is_refused_with_429_and_nothing_is_written()
    {
        using var carol = await fixture.AsAsync("carol-script");
        var session = await Conversations.NewAsync(carol);
        var proposals = new List<string>();
        for (var i = 0; i < SignedInFixture.WaitingPerPerson; i++)
        {
            proposals.Add((await carol.PostChatAsync(new { session_id = session, message = $"propose to fetch {fixture.Site.Url("/timers")}?n={i}" })).GetProperty("mission_id").GetString()!);
        }
        var messages = (await carol.GetJsonAsync($"api/chat/{session}")).GetProperty("messages").GetArrayLength();
        using var refused = await carol.PostAsJsonAsync("chat/integrated", new { session_id = session, message = $"fetch {fixture.Site.Url("/reminders")}" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains($"({SignedInFixture.WaitingPerPerson})", problem.GetProperty("detail").GetString());
        Assert.Equal(messages, (await carol.GetJsonAsync($"api/chat/{session}")).GetProperty("messages").GetArrayLength());
        // Talk is still answered, and another person is not held back by carol's limit.
        Assert.Equal("reply", (await carol.PostChatAsync(new { session_id = session, message = "hello" })).GetProperty("type").GetString());
        using var erin = await fixture.AsAsync("erin-script");
        var erins = (await erin.PostChatAsync(new { message = $"propose to fetch {fixture.Site.Url("/timers")}" })).GetProperty("mission_id").GetString()!;
        foreach (var (who, id) in proposals.Select(p => (carol, p)).Append((erin, erins)))
        {
            using var reject = await who.PostAsync($"api/missions/{id}/reject", null);
            Assert.Equal(HttpStatusCode.Accepted, reject.StatusCode);
        }
    }

    [Fact]
    public async Task A_person_past_their_schedules_limit_is_refused_with_429_until_one_is_stopped()
    {
        using var frank = await fixture.AsAsync("frank-script");
        var schedules = new List<string>();
        for (var i = 0; i < SignedInFixture.SchedulesPerPerson; i++)
        {
            schedules.Add((await frank.PostChatAsync(new { message = $"check {fixture.Site.Url("/timers")}?n={i} every 10 minutes" })).GetProperty("schedule_id").GetString()!);
        }
        using (var refused = await frank.PostAsJsonAsync("chat/integrated", new { message = $"check {fixture.Site.Url("/reminders")} every 10 minutes" }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("Too many schedules", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }
        Assert.Equal(SignedInFixture.SchedulesPerPerson, (await frank.GetJsonAsync("api/schedules")).GetProperty("schedules").GetArrayLength());
        // A mission is still fine (another limit), and a stopped schedule gives its place back.
        Assert.Equal("mission_started", (await frank.PostChatAsync(new { message = $"fetch {fixture.Site.Url("/timers")} up to 1 pages" })).GetProperty("type").GetString());
        using (var deleted = await frank.DeleteAsync($"api/schedules/{schedules[0]}"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }
        var again = await frank.PostChatAsync(new { message = $"check {fixture.Site.Url("/reminders")} every 10 minutes" });
        Assert.Equal("schedule_created", again.GetProperty("type").GetString());
        foreach (var id in schedules.Skip(1).Append(again.GetProperty("schedule_id").GetString()!))
        {
            (await frank.DeleteAsync($"api/schedules/{id}")).Dispose();
        }
    }

    [Fact]
    public async Task A_person_sending_too_fast_is_refused_with_429_and_retry_after()
    {
        using var dave = await fixture.AsAsync("dave-script");
        var responses = await Task.WhenAll(Enumerable.Range(0, SignedInFixture.RequestBurst * 3).Select(_ => dave.GetAsync("api/queue")));
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.True(limited[0].Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("Too many requests", (await limited[0].Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, r.StatusCode.ToString()));
        foreach (var response in responses)
        {
            response.Dispose();
        }
        // Another person is not held back by dave's bucket.
        using var erin = await fixture.AsAsync("erin-script");
        Assert.Equal(HttpStatusCode.OK, (await erin.GetAsync("api/queue")).StatusCode);
    }

    [Fact]
    public async Task A_person_may_hold_only_so_many_live_streams()
    {
        using var erin = await fixture.AsAsync("erin-script");
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < SignedInFixture.StreamsPerPerson; i++)
            {
                var stream = await erin.GetAsync("api/whiteboard/stream", HttpCompletionOption.ResponseHeadersRead);
                Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
                open.Add(stream);
            }
            // The stream is counted once its subscription is made; give the server a moment to make the last one.
            await Eventually.WaitAsync(async () => (await erin.GetAsync("api/whiteboard/stream", HttpCompletionOption.ResponseHeadersRead)) is var extra
                && extra.StatusCode == HttpStatusCode.TooManyRequests ? extra : null, r => r is not null, TimeSpan.FromSeconds(10), "the stream after the limit to be refused");
        }
        finally
        {
            foreach (var stream in open)
            {
                stream.Dispose();
            }
        }
        // Closed streams are given back.
        await Eventually.WaitAsync(async () => { using var again = await erin.GetAsync("api/whiteboard/stream", HttpCompletionOption.ResponseHeadersRead); return again.StatusCode; },
            s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "a stream to be allowed again once the others closed");
    }
}
