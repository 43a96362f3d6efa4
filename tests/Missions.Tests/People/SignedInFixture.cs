using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.People;

/// <summary>
/// The real web frontend with sign-in configured against a real OpenID Connect provider (<see cref="OidcProvider"/>)
/// started by the tests, plus a local website for its missions. People are script clients with their own tokens.
/// </summary>
public sealed class SignedInFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly Dictionary<string, string> _tokens = [];

    public OidcProvider Provider { get; private set; } = null!;
    public AppProcess App { get; private set; } = null!;
    public TestWebsite Site { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public string DataDirectory => _data.Path;

    /// <summary>The limits this deployment sets for one person (small enough to reach in a test).</summary>
    public const int WaitingPerPerson = 3, StreamsPerPerson = 2, RequestsPerSecond = 30, RequestBurst = 60, SchedulesPerPerson = 2;

    public async Task InitializeAsync()
    {
        Site = await TestWebsite.StartAsync();
        var port = FreePort.Next();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        Provider = await OidcProvider.StartAsync(BaseAddress.ToString());
        _port = port;
        _settings = new Dictionary<string, string>
        {
            ["Missions__Execution__AllowPrivateNetworks"] = "true",
            ["Missions__Auth__Authority"] = Provider.Issuer,
            ["Missions__Auth__ClientId"] = OidcProvider.WebClientId,
            ["Missions__Auth__ClientSecret"] = OidcProvider.WebClientSecret,
            ["Missions__Auth__RequireHttpsMetadata"] = "false",
            ["Missions__Limits__WaitingPerPerson"] = WaitingPerPerson.ToString(),
            ["Missions__Limits__StreamsPerPerson"] = StreamsPerPerson.ToString(),
            ["Missions__Limits__RequestsPerSecond"] = RequestsPerSecond.ToString(),
            ["Missions__Limits__RequestBurst"] = RequestBurst.ToString(),
            ["Missions__Limits__SchedulesPerPerson"] = SchedulesPerPerson.ToString(),
        };
        await StartAppAsync();
    }

    private int _port;
    private Dictionary<string, string> _settings = [];

    private async Task StartAppAsync()
    {
        App = AppProcess.StartWebFrontend(_data.Path, _port, _settings);
        using var anonymous = Anonymous();
        await App.WaitUntilReadyAsync(anonymous, "healthz", TimeSpan.FromSeconds(60));
    }

    /// <summary>Stops the web frontend at once (as a crash would) and starts it again on the same data and port.</summary>
    public async Task RestartAsync()
    {
        await App.DisposeAsync();
        await StartAppAsync();
    }

    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A client that sends <paramref name="clientId"/>'s token (one token per person, fetched once).</summary>
    public async Task<HttpClient> AsAsync(string clientId)
    {
        string? token;
        lock (_tokens)
        {
            _tokens.TryGetValue(clientId, out token);
        }
        token ??= await Provider.TokenForAsync(clientId);
        lock (_tokens)
        {
            _tokens[clientId] = token;
        }
        return WithToken(token);
    }

    public HttpClient WithToken(string token)
    {
        var http = Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Provider.DisposeAsync();
        await Site.DisposeAsync();
        _data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SignedInCollection : ICollectionFixture<SignedInFixture>
{
    public const string Name = "signed in";
}
