using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Missions;
using Missions.Execution;
using Missions.Hosting;
using Missions.Log;

// End-to-end throughput through the grain API on the embedded default (durable: every line fsynced before it
// is acknowledged), with the noop executor: N missions submitted by P producers, until all are terminal in the log.
// Usage: dotnet run -c Release --project bench/Missions.Bench -- [N ...] [--producers P] [--runs R]
var sizes = args.TakeWhile(a => !a.StartsWith("--")).Select(int.Parse).DefaultIfEmpty(2000).ToList();
var producers = ArgValue("--producers", 64);
var runs = ArgValue("--runs", 3);

Console.WriteLine($"| missions | producers | run | missions/s | seconds | log batches | mean batch | mean fsync ms |");
Console.WriteLine($"|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var n in sizes)
{
    var rates = new List<double>();
    for (var run = 1; run <= runs; run++)
    {
        var (rate, seconds, stats) = await RunOnceAsync(n, producers);
        rates.Add(rate);
        Console.WriteLine($"| {n:N0} | {producers} | {run} | {rate:N0} | {seconds:N2} | {stats.Batches:N0} | {stats.MeanBatchSize:N1} | {stats.MeanFsyncMs:N2} |");
    }
    rates.Sort();
    Console.WriteLine($"| {n:N0} | {producers} | **median** | **{rates[rates.Count / 2]:N0}** | | | | |");
}

int ArgValue(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : fallback;
}

static async Task<(double Rate, double Seconds, AppenderStats Stats)> RunOnceAsync(int n, int producers)
{
    var dir = Path.Combine(Path.GetTempPath(), "missions-bench", Guid.NewGuid().ToString("N"));
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Missions:DataDirectory"] = dir,
        ["Missions:Execution:Executor"] = NoopExecutor.ExecutorName,
        ["Missions:Execution:MaxConcurrency"] = "256",
        ["Missions:Orleans:SiloPort"] = "21111",
        ["Missions:Orleans:GatewayPort"] = "40000",
    });
    builder.UseOrleans(silo => silo.UseMissionsClustering(builder.Configuration).AddMissions(builder.Configuration));
    using var host = builder.Build();
    await host.StartAsync();
    var grains = host.Services.GetRequiredService<IGrainFactory>();
    var log = host.Services.GetRequiredService<MissionLog>();

    var clock = Stopwatch.StartNew();
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, producers).Select(_ => Task.Run(async () =>
    {
        while (Interlocked.Increment(ref next) is var i && i < n)
        {
            await grains.GetGrain<IMissionGrain>($"bench-{i}").CreateAsync(new MissionDraft
            {
                SessionId = $"bench-{i % 100}",
                Objective = new Objective { Type = "research", Description = "noop" },
                Constraints = new MissionConstraints { AllowedDomains = ["example.org"] },
                SourceMessage = "noop",
            });
        }
    })));
    var submitted = clock.Elapsed.TotalSeconds;
    Console.Error.WriteLine($"submitted {n} in {submitted:N2} s; completed so far {log.Index.CountOf(MissionStatus.Completed)}");
    var deadline = Stopwatch.StartNew();
    while (log.Index.CountOf(MissionStatus.Completed) < n && deadline.Elapsed < TimeSpan.FromMinutes(10))
    {
        await Task.Delay(5);
    }
    var seconds = clock.Elapsed.TotalSeconds;
    var stats = log.Stats;
    await host.StopAsync();
    Directory.Delete(dir, recursive: true);
    return (n / seconds, seconds, stats);
}
