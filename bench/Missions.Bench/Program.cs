using Missions.Research;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Missions;
using Missions.Chat;
using Missions.Execution;
using Missions.Hosting;
using Missions.Log;
using Missions.PostgreSql;
using Orleans.Configuration;

// End-to-end throughput through the grain API on the embedded default (durable: every line fsynced before it
// is acknowledged), with the noop executor: N missions submitted by P producers, until all are terminal in the log
// and each one's outcome is posted back into its chat session. With --chat, each mission is asked for as a person
// would, through a chat session (100 sessions), instead of created directly.
// After each run every idle activation is collected, the sessions are opened again (read back from the chat log) and
// a full GC measures the managed heap the finished missions still hold: what a long-running server keeps for good
// per mission. What is only kept for a while is given 1 s here: the chat's freshness window (a repeat answered from
// a result, 10 minutes by default) and Orleans' directory cache of where grains were (4 minutes).
// With --compare, the same workload on Hangfire in the same run: N no-op jobs enqueued by P producers until all
// succeeded, on Hangfire.InMemory (not durable) and, when MISSIONS_BENCH_PG holds a connection string, on
// Hangfire.PostgreSql (durable). bench/run.sh starts a PostgreSQL for it.
// With --floor, each run is followed in the same process state by three floors (see FloorGrain): one grain call per
// mission writing its four lines in two fsync rounds (as a mission that finds a free slot does) and then its outcome
// line in the chat (what a mission's "done" includes here), the four lines alone, and one line — what a mission
// costs beyond them.
// --sessions S spreads the missions over S chat sessions (default 100); with one, a single conversation takes them all.
// Usage: dotnet run -c Release --project bench/Missions.Bench -- [N ...] [--producers P] [--runs R] [--chat] [--sessions S] [--compare] [--floor]
var sizes = args.TakeWhile(a => !a.StartsWith("--")).Select(int.Parse).DefaultIfEmpty(2000).ToList();
var producers = ArgValue("--producers", 64);
var runs = ArgValue("--runs", 3);
var compare = args.Contains("--compare");
var viaChat = args.Contains("--chat");
var floor = args.Contains("--floor");
Sessions = ArgValue("--sessions", Sessions);
var postgres = Environment.GetEnvironmentVariable("MISSIONS_BENCH_PG");
if (args.Contains("--freeze"))
{
    // A session frozen inside its commit, at the store, with and without the session timeouts (see FreezeBench).
    if (postgres is null)
    {
        Console.Error.WriteLine("--freeze needs MISSIONS_BENCH_PG: run it under bench/with-servers.sh.");
        return 2;
    }
    return await FreezeBench.RunAsync(postgres, ArgValue("--freeze", 30));
}
ClusterSilos = ArgValue("--cluster", 0);
ClusterRedis = Environment.GetEnvironmentVariable("MISSIONS_BENCH_REDIS");
ClusterStore = postgres;
if (ClusterSilos > 0 && (string.IsNullOrEmpty(ClusterRedis) || string.IsNullOrEmpty(postgres)))
{
    Console.Error.WriteLine("--cluster needs MISSIONS_BENCH_REDIS and MISSIONS_BENCH_PG (bench/run.sh --cluster K starts both).");
    return 2;
}
var comparison = new List<string>();

Console.WriteLine($"Missions {(viaChat ? "asked for through chat sessions" : "created through the grain API")}, their outcomes posted to {Sessions} chat sessions" +
    (ClusterSilos > 0 ? $"; cluster mode: {ClusterSilos} silo(s) in this process on Redis and PostgreSQL, a web frontend's mirror of the store in silo 1's process (done = mirrored)." : "."));
Console.WriteLine();
Console.WriteLine($"| missions | producers | run | missions/s | seconds | log batches | mean batch | mean fsync ms | CPU µs/mission | allocated KB/mission | heap kept B/mission |");
Console.WriteLine($"|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var n in sizes)
{
    var rates = new List<double>();
    var inMemory = new List<double>();
    var postgreSql = new List<double>();
    var floors = new Dictionary<Work, List<(double Rate, double Cpu)>> { [Work.Floor5] = [], [Work.Floor4] = [], [Work.Floor1] = [] };
    for (var run = 1; run <= runs; run++)
    {
        var (rate, seconds, stats, kept, allocated, cpu) = await RunOnceAsync(n, producers, viaChat ? Work.Chat : Work.Missions);
        rates.Add(rate);
        Console.WriteLine($"| {n:N0} | {producers} | {run} | {rate:N0} | {seconds:N2} | {stats.Batches:N0} | {stats.MeanBatchSize:N1} | {stats.MeanFsyncMs:N2} | {cpu:N0} | {allocated / 1024:N1} | {kept:N0} |");
        if (floor)
        {
            foreach (var work in floors.Keys)
            {
                var f = await RunOnceAsync(n, producers, work);
                floors[work].Add((f.Rate, f.CpuMicroseconds));
                Console.WriteLine($"| {n:N0} | {producers} | {run}, {Describe(work)} | {f.Rate:N0} | {f.Seconds:N2} | {f.Stats.Batches:N0} | {f.Stats.MeanBatchSize:N1} | {f.Stats.MeanFsyncMs:N2} | {f.CpuMicroseconds:N0} | {f.AllocatedBytes / 1024:N1} | |");
            }
        }
        if (compare)
        {
            inMemory.Add(HangfireRun.Measure(new Hangfire.InMemory.InMemoryStorage(), n, producers));
            if (!string.IsNullOrEmpty(postgres))
            {
                postgreSql.Add(HangfireRun.Measure(HangfireRun.PostgreSql(postgres), n, producers));
            }
        }
    }
    Console.WriteLine($"| {n:N0} | {producers} | **median** | **{Median(rates):N0}** | | | | | | | |");
    var floorMedians = floors.Where(f => f.Value.Count > 0).Select(f =>
        (Work: f.Key, Rate: Median(f.Value.Select(v => v.Rate).ToList()), Cpu: Median(f.Value.Select(v => v.Cpu).ToList()))).ToList();
    foreach (var (work, median, cpu) in floorMedians)
    {
        Console.WriteLine($"| {n:N0} | {producers} | **median, {Describe(work)}** | **{median:N0}** (missions: {Median(rates) / median:P0} of it) | | | | | {cpu:N0} | | |");
    }
    if (compare)
    {
        var pg = postgreSql.Count > 0 ? $"{Median(postgreSql):N0} | {Median(rates) / Median(postgreSql):N1}×" : "not run | ";
        comparison.Add($"| {n:N0} | {producers} | {Median(rates):N0} | {Median(inMemory):N0} | {Median(rates) / Median(inMemory):N2}× | {pg} |");
        foreach (var (work, median, _) in floorMedians)
        {
            var pgFloor = postgreSql.Count > 0 ? $"{Median(postgreSql):N0} | {median / Median(postgreSql):N1}×" : "not run | ";
            comparison.Add($"| {n:N0} | {producers} | {Describe(work)}: {median:N0} | {Median(inMemory):N0} | {median / Median(inMemory):N2}× | {pgFloor} |");
        }
    }
}
if (ClusterSilos > 0)
{
    Console.WriteLine();
    Console.WriteLine("| run | store commits | rows | rows per commit | mirror lag p50 ms | mirror lag p99 ms |");
    Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
    ClusterRows.ForEach(Console.WriteLine);
}
if (compare)
{
    Console.WriteLine();
    Console.WriteLine($"Same run, medians of {runs}: missions/s (durable) against Hangfire jobs/s ({HangfireRun.Workers} workers).");
    Console.WriteLine();
    Console.WriteLine("| N | producers | Missions/s | Hangfire.InMemory jobs/s | ratio | Hangfire.PostgreSql jobs/s | ratio |");
    Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
    comparison.ForEach(Console.WriteLine);
    Console.WriteLine();
    Console.WriteLine($"Hangfire enqueues that failed and were retried: {HangfireRun.RetriedEnqueues}.");
}
return 0;

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static string Describe(Work work) => work switch
{
    Work.Floor5 => "floor: 4 lines in 2 rounds + the chat's outcome line",
    Work.Floor4 => "floor: 4 lines, 2 rounds",
    Work.Floor1 => "floor: 1 line",
    _ => work.ToString(),
};

int ArgValue(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : fallback;
}

static async Task<(double Rate, double Seconds, AppenderStats Stats, double KeptBytes, double AllocatedBytes, double CpuMicroseconds)> RunOnceAsync(int n, int producers, Work work)
{
    var dir = Path.Combine(Path.GetTempPath(), "missions-bench", Guid.NewGuid().ToString("N"));
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    // Each run starts a silo in a process that has already run one: Orleans' watchdog then reports the gap since
    // its last check as a stall. Not this run's figure: kept out of the table.
    builder.Logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error);
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Missions:DataDirectory"] = dir,
        ["Missions:Execution:Executor"] = NoopExecutor.ExecutorName,
        ["Missions:Execution:MaxConcurrency"] = "256",
        ["Missions:Orleans:SiloPort"] = "21111",
        ["Missions:Orleans:GatewayPort"] = "40000",
        ["Missions:Chat:FreshnessSeconds"] = "1",
    });
    var others = new List<IHost>();
    var lag = new List<double>();
    using var lagListener = new System.Diagnostics.Metrics.MeterListener();
    if (ClusterSilos > 0)
    {
        var cluster = await ClusterSettingsAsync();
        builder.Configuration.AddInMemoryCollection(cluster);
        for (var i = 1; i < ClusterSilos; i++)
        {
            var other = Host.CreateApplicationBuilder();
            other.Logging.SetMinimumLevel(LogLevel.Warning);
            other.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(cluster)
            {
                ["Missions:DataDirectory"] = Path.Combine(dir, $"silo{i + 1}"),
                ["Missions:Execution:Executor"] = NoopExecutor.ExecutorName,
                ["Missions:Execution:MaxConcurrency"] = "256",
                ["Missions:Orleans:SiloPort"] = (21111 + i).ToString(),
                ["Missions:Orleans:GatewayPort"] = (40000 + i).ToString(),
                ["Missions:Chat:FreshnessSeconds"] = "1",
            });
            other.UseOrleans(silo => silo.UseMissionsClustering(other.Configuration).AddMissions(other.Configuration).AddResearchAgent(other.Configuration));
            others.Add(other.Build());
        }
        // Silo 1's process also plays a web frontend: its logs are the store's mirror, what "done" is read from.
        builder.Services.AddMissionLogs(builder.Configuration);
        builder.Services.AddStoreMirror(cluster["Missions:Store:PostgreSql"]!);
        lagListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Missions" && instrument.Name == "missions.mirror.lag") listener.EnableMeasurementEvents(instrument);
        };
        lagListener.SetMeasurementEventCallback<double>((_, value, _, _) => { lock (lag) lag.Add(value); });
        lagListener.Start();
    }
    builder.UseOrleans(silo => silo.UseMissionsClustering(builder.Configuration).AddMissions(builder.Configuration).AddResearchAgent(builder.Configuration)
        .Configure<GrainDirectoryOptions>(o => o.MaximumCacheTTL = TimeSpan.FromSeconds(1)));
    var host = builder.Build();
    await host.StartAsync();
    foreach (var other in others)
    {
        await other.StartAsync();
    }
    var grains = host.Services.GetRequiredService<IGrainFactory>();
    var heapBefore = HeapAfterFullGc();
    var log = host.Services.GetRequiredService<MissionLog>();
    // Done means the result is back in the chat too: each mission's outcome message durable in its session.
    var outcomes = 0;
    var chatFeed = host.Services.GetRequiredService<ChatLog>().Feed;
    var chatLines = chatFeed.Follow(chatFeed.End);
    _ = Task.Run(async () =>
    {
        while ((await chatLines.ReadAsync(4096, CancellationToken.None)) is { Count: > 0 } lines)
        {
            foreach (var line in lines)
            {
                if (line.Value.ReplyType == ChatResponse.MissionUpdate) Interlocked.Increment(ref outcomes);
            }
        }
    });

    var allocatedBefore = GC.GetTotalAllocatedBytes();
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, producers).Select(_ => Task.Run(async () =>
    {
        while (Interlocked.Increment(ref next) is var i && i < n)
        {
            if (work is Work.Floor1 or Work.Floor4 or Work.Floor5)
            {
                await grains.GetGrain<IFloorGrain>($"floor-{i}").RunAsync(work switch { Work.Floor1 => 1, Work.Floor4 => 4, _ => 5 });
                continue;
            }
            if (work == Work.Chat)
            {
                await grains.Session($"bench-{i % Sessions}").SendAsync(new ChatRequest
                {
                    Message = $"research item {i} on example.org", ClientMessageId = $"m-{i}",
                });
                continue;
            }
            await grains.Mission($"bench-{i}").CreateAsync(new MissionDraft
            {
                SessionId = $"bench-{i % Sessions}",
                Objective = new Objective { Type = "research", Description = "noop" },
                Constraints = new MissionConstraints { AllowedDomains = ["example.org"] },
                SourceMessage = "noop",
            });
        }
    })));
    var submitted = clock.Elapsed.TotalSeconds;
    Console.Error.WriteLine($"submitted {n} in {submitted:N2} s; completed so far {log.Index.CountOf(MissionStatus.Completed)}");
    var deadline = Stopwatch.StartNew();
    // A floor's call returns once its last line is durable: it is done when the producers are.
    while (work is Work.Missions or Work.Chat && (log.Index.CountOf(MissionStatus.Completed) < n || Volatile.Read(ref outcomes) < n) && deadline.Elapsed < TimeSpan.FromMinutes(10))
    {
        await Task.Delay(5);
    }
    var seconds = clock.Elapsed.TotalSeconds;
    var allocated = (GC.GetTotalAllocatedBytes() - allocatedBefore) / (double)n;
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / n;
    var stats = log.Stats;
    var kept = work is Work.Missions or Work.Chat && ClusterSilos == 0 ? (await HeapKeptAsync(grains) - heapBefore) / (double)n : 0;
    chatLines.Dispose();
    if (ClusterSilos > 0)
    {
        var stores = new[] { host }.Concat(others).Select(h => h.Services.GetRequiredService<Missions.PostgreSql.PostgresStore>().Stats).ToList();
        var (commits, rows) = (stores.Sum(s => s.Commits), stores.Sum(s => s.Rows));
        List<double> sorted;
        lock (lag) sorted = lag.Order().ToList();
        double P(double q) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))] * 1000;
        ClusterRows.Add($"| {n:N0} × {ClusterRows.Count + 1} | {commits:N0} | {rows:N0} | {rows / (double)Math.Max(1, commits):N1} | {P(0.5):N1} | {P(0.99):N1} |");
        foreach (var other in others)
        {
            await other.StopAsync();
            await ((IAsyncDisposable)other).DisposeAsync();
        }
    }
    await host.StopAsync();
    await ((IAsyncDisposable)host).DisposeAsync(); // the log closes (and checkpoints) before its directory goes
    Directory.Delete(dir, recursive: true);
    return (n / seconds, seconds, stats, kept, allocated, cpu);
}

// What stays on the managed heap once the missions are over and idle: every idle activation collected (as the
// silo does after its age limits), the sessions opened again as a person coming back would, then a full GC.
static async Task<long> HeapKeptAsync(IGrainFactory grains)
{
    await Task.Delay(TimeSpan.FromSeconds(2)); // past the 1 s windows
    await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
    await Task.Delay(TimeSpan.FromSeconds(1));
    await Task.WhenAll(Enumerable.Range(0, Sessions).Select(s => grains.Session($"bench-{s}").GetMessagesAsync(null, null, ChatPage.DefaultLimit)));
    return HeapAfterFullGc();
}

static long HeapAfterFullGc()
{
    System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    return GC.GetTotalMemory(forceFullCollection: false);
}

// A database of its own for one cluster run, on the PostgreSQL of MISSIONS_BENCH_PG, and a cluster id of its own on Redis.
static async Task<Dictionary<string, string?>> ClusterSettingsAsync()
{
    var name = "bench_" + Guid.NewGuid().ToString("N")[..10];
    await using (var admin = new Npgsql.NpgsqlConnection(ClusterStore))
    {
        await admin.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", admin);
        await create.ExecuteNonQueryAsync();
    }
    // The product's own pool bound (the administrator's connection string sizes Hangfire's pool, not this one).
    var store = new Npgsql.NpgsqlConnectionStringBuilder(ClusterStore) { Database = name, MaxPoolSize = Missions.PostgreSql.PostgresServices.DefaultMaxPoolSize }.ConnectionString;
    await using (var db = Missions.PostgreSql.PostgresServices.OpenDataSource(store))
    {
        await Missions.PostgreSql.PostgresSchema.EnsureAsync(db);
    }
    return new Dictionary<string, string?>
    {
        ["Missions:Cluster:Redis"] = ClusterRedis,
        ["Missions:Store:PostgreSql"] = store,
        ["Missions:Orleans:ClusterId"] = name,
        ["Missions:Orleans:ServiceId"] = name,
    };
}

partial class Program
{
    /// <summary><c>--cluster K</c>: K silos in this process on Redis and PostgreSQL (0: the embedded default).</summary>
    private static int ClusterSilos;
    private static string? ClusterRedis;
    private static string? ClusterStore;
    private static readonly List<string> ClusterRows = [];

    /// <summary>Chat sessions the missions are spread over (<c>--sessions</c>): each mission's outcome is posted to one.</summary>
    private static int Sessions = 100;

    private enum Work { Missions, Chat, Floor5, Floor4, Floor1 }
}
