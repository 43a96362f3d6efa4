using System.Net.Http.Json;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Http;

/// <summary><c>Missions:Chat:RequireApproval=true</c>: every mission asked for in the chat is proposed first (a process of its own).</summary>
public sealed class RequireApprovalTests
{
    [Fact]
    public async Task With_approval_required_every_request_is_proposed_and_runs_only_after_a_yes()
    {
        using var data = new TempDirectory();
        await using var site = await TestWebsite.StartAsync();
        var port = FreePort.Next();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        await using var app = AppProcess.StartWebFrontend(data.Path, port, new Dictionary<string, string>
        {
            ["Missions__Execution__AllowPrivateNetworks"] = "true",
            ["Missions__Chat__RequireApproval"] = "true",
        });
        await app.WaitUntilReadyAsync(http, "healthz", TimeSpan.FromSeconds(60));
        var session = await Conversations.NewAsync(http);

        async Task<JsonElement> ChatAsync(string message)
        {
            using var response = await http.PostAsJsonAsync("chat/integrated", new { session_id = session, message });
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            return JsonDocument.Parse(text).RootElement.Clone();
        }

        var proposed = await ChatAsync($"fetch {site.Url("/timers")}");

        Assert.Equal("mission_proposed", proposed.GetProperty("type").GetString());
        var id = proposed.GetProperty("mission_id").GetString()!;
        await Task.Delay(500);
        using (var whiteboard = await http.GetAsync($"api/whiteboard/{id}"))
        {
            Assert.Equal("proposed", JsonDocument.Parse(await whiteboard.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        }

        Assert.StartsWith("Approved", (await ChatAsync("yes")).GetProperty("message").GetString());
        await Eventually.WaitAsync(async () => JsonDocument.Parse(await http.GetStringAsync($"api/whiteboard/{id}")).RootElement.GetProperty("status").GetString(),
            s => s == "completed", TimeSpan.FromSeconds(30), "the approved mission to complete");
    }
}
