using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Missions.Telemetry;
using Missions.Tests.Support;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Missions.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class TelemetryTests(ClusterFixture fixture) : IAsyncLifetime
{
    private static readonly ActivitySource Chat = new("Missions.Tests.Chat");
    private TestWebsite _site = null!;

    private MissionClusterHost Host => fixture.Host;

    public async Task InitializeAsync() => _site = await TestWebsite.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task One_trace_runs_from_the_chat_request_through_grain_calls_into_execution_and_each_fetch()
    {
        var spans = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(Chat.Name, MissionsTelemetry.Name).AddSource(MissionsTelemetry.OrleansSources)
            .AddInMemoryExporter(spans).Build())
        {
            string missionId;
            ActivityTraceId traceId;
            using (var request = Chat.StartActivity("POST /chat/integrated", ActivityKind.Server)!)
            {
                traceId = request.TraceId;
                var response = await Host.Client.GetGrain<IChatSessionGrain>("s-" + Guid.NewGuid().ToString("N"))
                    .SendAsync(new ChatRequest { Message = $"fetch {_site.Url("/")} up to 2 pages" });
                missionId = response.MissionId!;
            }
            var view = await Host.WaitForTerminalAsync(missionId);
            Assert.Equal(MissionStatus.Completed, view.Status);
            Assert.Equal(traceId.ToHexString(), view.TraceId);
            Assert.All(view.Timeline, e => Assert.Equal(traceId.ToHexString(), e.TraceId));
            tracing.ForceFlush();

            var trace = spans.Where(s => s.TraceId == traceId).ToList();
            var chat = Assert.Single(trace, s => s.Source.Name == Chat.Name);
            Assert.Contains(trace, s => MissionsTelemetry.OrleansSources.Contains(s.Source.Name) && s.DisplayName.Contains("IChatSessionGrain"));
            Assert.Contains(trace, s => MissionsTelemetry.OrleansSources.Contains(s.Source.Name) && s.DisplayName.Contains("IMissionGrain"));
            var execute = Assert.Single(trace, s => s.DisplayName == "mission.execute");
            // Its parent is the grain call that created the mission, inside the chat request: follow it up.
            var bySpan = trace.ToDictionary(s => s.SpanId);
            var ancestor = execute;
            while (ancestor.ParentSpanId != default && bySpan.TryGetValue(ancestor.ParentSpanId, out var up))
            {
                ancestor = up;
            }
            Assert.Same(chat, ancestor);
            Assert.Contains(execute.Links, l => l.Context.SpanId == execute.ParentSpanId && l.Context.TraceId == traceId);
            Assert.Equal(missionId, execute.GetTagItem("mission.id"));
            var fetches = trace.Where(s => s.DisplayName == "mission.fetch").ToList();
            Assert.Equal(2, fetches.Count);
            Assert.All(fetches, f => Assert.Equal(execute.SpanId, f.ParentSpanId));
        }
    }

    [Fact]
    public async Task Counters_and_histograms_move_as_missions_run()
    {
        var seen = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == MissionsTelemetry.Name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, value, _, _) => seen.AddOrUpdate(i.Name, value, (_, v) => v + value));
        listener.SetMeasurementEventCallback<double>((i, value, _, _) => seen.AddOrUpdate(i.Name, 1, (_, v) => v + 1));
        listener.SetMeasurementEventCallback<int>((i, value, _, _) => seen[i.Name] = value);
        listener.Start();

        var id = await Host.CreateAsync("ok");
        await Host.WaitForTerminalAsync(id);
        listener.RecordObservableInstruments();

        Assert.True(seen.GetValueOrDefault("missions.created") >= 1);
        Assert.True(seen.GetValueOrDefault("missions.ended") >= 1);
        Assert.True(seen.GetValueOrDefault("missions.chat_to_active") >= 1);
        Assert.True(seen.GetValueOrDefault("missions.active_to_terminal") >= 1);
        Assert.True(seen.GetValueOrDefault("missions.log.fsync") >= 1);
        Assert.True(seen.GetValueOrDefault("missions.log.batch_lines") >= 1);
        Assert.True(seen.ContainsKey("missions.queue.depth"));
        Assert.True(seen.ContainsKey("missions.queue.in_flight"));
    }
}
