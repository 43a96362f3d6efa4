using System.Net.Http.Json;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Http;

/// <summary>
/// The real web frontend, started from its build output on the embedded default (co-hosted silo, log in a data
/// directory of its own), plus a local website for its missions to read.
/// </summary>
public sealed class WebFrontendFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public AppProcess App { get; private set; } = null!;
    public TestWebsite Site { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string DataDirectory => _data.Path;

    public async Task InitializeAsync()
    {
        Site = await TestWebsite.StartAsync();
        var port = FreePort.Next();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        App = AppProcess.StartWebFrontend(_data.Path, port, new Dictionary<string, string> { ["Missions__Execution__AllowPrivateNetworks"] = "true" });
        await App.WaitUntilReadyAsync(Http, "healthz", TimeSpan.FromSeconds(60));
    }

    public Task<JsonElement> PostChatAsync(object body) => Http.PostChatAsync(body);

    /// <summary>A new conversation's id, made by the server.</summary>
    public Task<string> NewSessionAsync() => Conversations.NewAsync(Http);

    public Task<JsonElement> GetJsonAsync(string path) => Http.GetJsonAsync(path);

    public Task<JsonElement> WaitForTerminalAsync(string missionId) =>
        Eventually.WaitAsync(() => GetJsonAsync($"api/whiteboard/{missionId}"),
            m => m.GetProperty("status").GetString() is "completed" or "failed" or "cancelled" or "timed_out",
            TimeSpan.FromSeconds(60), $"mission {missionId} to end");

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
        await Site.DisposeAsync();
        _data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class WebFrontendCollection : ICollectionFixture<WebFrontendFixture>
{
    public const string Name = "web frontend";
}
