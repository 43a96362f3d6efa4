using System.Net.Http.Json;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Http;

/// <summary>The standalone silo and the web frontend as its client, sharing one data directory.</summary>
public sealed class StandaloneSiloTests
{
    [Fact]
    public async Task Web_frontend_in_client_mode_runs_a_mission_on_the_standalone_silo()
    {
        using var data = new TempDirectory();
        await using var site = await TestWebsite.StartAsync();
        var gateway = FreePort.Next();
        var shared = new Dictionary<string, string>
        {
            ["Missions__DataDirectory"] = data.Path,
            ["Missions__Orleans__GatewayPort"] = gateway.ToString(),
            ["Missions__Orleans__ClusterId"] = "standalone-test",
        };
        await using var silo = AppProcess.Start(RepositoryPaths.SiloDll, "silo", new Dictionary<string, string>(shared)
        {
            ["Missions__Orleans__SiloPort"] = FreePort.Next().ToString(),
            ["Missions__Execution__AllowPrivateNetworks"] = "true",
        });
        var port = FreePort.Next();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        await Eventually.WaitAsync(() => File.Exists(Path.Combine(data.Path, LogFiles.Missions)) || silo.HasExited,
            TimeSpan.FromSeconds(60), "the silo to open its log");
        await using var web = AppProcess.Start(RepositoryPaths.WebFrontendDll, "web frontend (client)", new Dictionary<string, string>(shared)
        {
            ["Missions__Orleans__Mode"] = "client",
            ["Missions__Orleans__Gateways"] = $"127.0.0.1:{gateway}",
        }, "--urls", $"http://127.0.0.1:{port}");
        await web.WaitUntilReadyAsync(http, "healthz", TimeSpan.FromSeconds(60));

        using var sent = await http.PostAsJsonAsync("chat/integrated", new { message = $"fetch {site.Url("/reminders")}" });
        var reply = JsonDocument.Parse(await sent.Content.ReadAsStringAsync()).RootElement;
        Assert.True(sent.IsSuccessStatusCode, reply.ToString() + "\n" + silo.Output + web.Output);
        var missionId = reply.GetProperty("mission_id").GetString();

        var mission = await Eventually.WaitAsync(
            async () => JsonDocument.Parse(await http.GetStringAsync($"api/whiteboard?limit=1")).RootElement,
            page => page.GetProperty("missions").EnumerateArray().Any(m => m.GetProperty("mission_id").GetString() == missionId
                && m.GetProperty("status").GetString() == "completed"),
            TimeSpan.FromSeconds(30), "the silo's log to show the mission completed to the web frontend");
        var view = JsonDocument.Parse(await http.GetStringAsync($"api/whiteboard/{missionId}")).RootElement;
        Assert.Contains("Reminders Are Durable", view.GetProperty("execution_result").GetProperty("final_answer").GetString());
    }
}
