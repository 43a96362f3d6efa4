using System.Net.Http.Json;
using System.Diagnostics;
using System.Net;
using Missions.Tests.Support;

namespace Missions.Tests.Reliability;

/// <summary>How the service is deployed: one writer per data directory, operations surfaces on a URL of their own.</summary>
public sealed class DeploymentSafetyTests
{
    [Fact]
    public async Task A_second_process_on_the_same_data_directory_exits_at_once_and_the_operations_surfaces_stay_on_their_own_url()
    {
        using var data = new TempDirectory();
        var port = FreePort.Next();
        var management = FreePort.Next();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(20) };
        using var ops = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{management}/"), Timeout = TimeSpan.FromSeconds(20) };
        await using var first = AppProcess.StartWebFrontend(data.Path, port, new Dictionary<string, string>
        {
            ["Missions__ManagementUrls"] = $"http://127.0.0.1:{management}",
        });
        await first.WaitUntilReadyAsync(http, "readyz", TimeSpan.FromSeconds(60));

        var clock = Stopwatch.StartNew();
        await using var second = AppProcess.StartWebFrontend(data.Path, FreePort.Next());
        await second.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, second.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
        Assert.Contains("Another Missions process is using the data directory", second.Output);
        Assert.True((await http.GetAsync("api/queue")).IsSuccessStatusCode, "the first process still serves");

        // /metrics and /dashboard answer on the management URL only; the API does not answer there.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("dashboard/")).StatusCode);
        using var metrics = await ops.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("missions_", await metrics.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.GetAsync("api/queue")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("healthz")).StatusCode);
        // The page links to the dashboard only where it is: not on the main URL, so no link.
        var me = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("api/me");
        Assert.True(me.GetProperty("is_operator").GetBoolean());
        Assert.False(me.TryGetProperty("dashboard_url", out var link) && link.ValueKind != System.Text.Json.JsonValueKind.Null, me.ToString());
    }
}
