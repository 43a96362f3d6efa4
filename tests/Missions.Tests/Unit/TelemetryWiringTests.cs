using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Missions.Telemetry;
using Missions.Tests.Support;
using OpenTelemetry.Trace;

namespace Missions.Tests.Unit;

/// <summary>The telemetry a process gets (AddMissionsTelemetry) makes a span of each outgoing HTTP request.</summary>
public sealed class TelemetryWiringTests
{
    [Fact]
    public async Task An_outgoing_http_request_is_a_client_span()
    {
        await using var site = await TestWebsite.StartAsync();
        var spans = new List<Activity>();
        var services = new ServiceCollection();
        services.AddMissionsTelemetry("missions-test", tracing => tracing.AddInMemoryExporter(spans));
        await using (var provider = services.BuildServiceProvider())
        {
            var tracer = provider.GetRequiredService<TracerProvider>();
            using var http = new HttpClient();
            (await http.GetAsync(site.Url("/reminders"))).EnsureSuccessStatusCode();
            tracer.ForceFlush();
        }

        var fetch = Assert.Single(spans, s => s.Kind == ActivityKind.Client && (s.GetTagItem("url.full") as string)?.EndsWith("/reminders") == true);
        Assert.Equal(200, Convert.ToInt32(fetch.GetTagItem("http.response.status_code")));
    }
}
