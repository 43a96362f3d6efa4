using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Missions.Benchmarks;

// Over HTTP, against the real web frontend process on the embedded default (durable), noop executor:
//  1. throughput: N chat requests from C concurrent clients until every mission is terminal on the whiteboard;
//  2. latency at a fixed offered load: chat request → response; chat request → the mission's `active` line seen by an
//     SSE client of the whiteboard; and a terminal line written → seen by an SSE client.
// With --warmup W, W missions go first, unmeasured (a fresh process JIT-compiles its hot code for its first
// tens of seconds). CPU per mission: the server's and this client's processor time over the throughput phase.
// After the runs: the mission log's fsync tail over each run, and for the fixed-rate phase alone the server's own
// view (missions over 10/25/50 ms from creation to run start, and fsyncs over 10/25/50 ms), to tell the legs apart.
// With --cluster (and MISSIONS_BENCH_PG, MISSIONS_BENCH_REDIS: bench/run.sh starts both), the web frontend runs in
// cluster mode: its silo on Redis, writing PostgreSQL (a fresh database per run), and its whiteboard on its mirror.
// Usage: dotnet run -c Release --project bench/Missions.HttpBench -- [--missions N] [--clients C] [--rate R] [--runs K] [--warmup W] [--cluster]
//        … -- --burst SECONDS [--idle SECONDS] [--clients C]: memory through a burst at full rate and the idle time after it
//        … -- --freeze-silo SECONDS [--silos 3] [--rate R] [--frozen N, 0 = the execution queue's silo, -1 = another] [--max-concurrency 64]: under bench/with-servers.sh, standalone silos and a web frontend
//             under a steady load while one silo is SIGSTOPped (see FreezeBench.cs)
var missions = Arg("--missions", 5000);
var warmup = Arg("--warmup", 0);
var clients = Arg("--clients", 32);
var rate = Arg("--rate", 500);
var runs = Arg("--runs", 3);

// The server's Prometheus histograms: the mission log's fsync times, and missions.chat_to_active (from the mission's
// creation in its grain to its run's start: its two fsync rounds, without HTTP, the chat session or the live stream).
// A slow fsync holds every append of its batch and those queued behind it.
const string FsyncHistogram = "missions_log_fsync_seconds_bucket{";
const string MissionLogFile = "file=\"missions.jsonl\"";
const string ChatToActiveHistogram = "missions_chat_to_active_seconds_bucket{";

if (Arg("--freeze-silo", 0) is var freeze and > 0)
{
    await FreezeBench.RunAsync(freeze, Arg("--silos", 3), Arg("--rate", 50), Arg("--frozen", 1), Arg("--max-concurrency", 64));
    return;
}

if (Arg("--burst", 0) is var burst and > 0)
{
    // Memory after a burst (issue 29): full rate for --burst seconds, then --idle seconds of nothing; the server's
    // RSS every 5 s. What a burst takes should come back: ended missions keep no activation.
    await using var app = await WebApp.StartAsync(args.Contains("--cluster"));
    await Task.Delay(TimeSpan.FromSeconds(5));
    var idle = Arg("--idle", 60);
    var samples = new List<(double At, string Phase, double RssMb)>();
    var clock = Stopwatch.StartNew();
    samples.Add((0, "started", app.RssMb));
    using var sampling = new CancellationTokenSource();
    var phase = "burst";
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            try { await Task.Delay(5_000, sampling.Token); } catch (OperationCanceledException) { break; }
            samples.Add((clock.Elapsed.TotalSeconds, phase, app.RssMb));
        }
    });
    var sent = 0;
    var batches = 0;
    while (clock.Elapsed.TotalSeconds < burst)
    {
        await ThroughputAsync(app.Http, 5_000, clients, $"b{batches++}-");
        sent += 5_000;
    }
    var burstSeconds = clock.Elapsed.TotalSeconds;
    phase = "idle";
    await Task.Delay(TimeSpan.FromSeconds(idle));
    sampling.Cancel();
    await sampler;
    samples.Add((clock.Elapsed.TotalSeconds, "end", app.RssMb));
    Console.WriteLine($"burst: {sent:N0} missions in {burstSeconds:N0} s ({sent / burstSeconds:N0}/s, {clients} clients, MaxConcurrency 256), then {idle} s idle");
    Console.WriteLine("| s | phase | RSS MB |");
    Console.WriteLine("|---:|---|---:|");
    foreach (var (at, p, rss) in samples)
    {
        Console.WriteLine($"| {at:N0} | {p} | {rss:N0} |");
    }
    var startRss = samples[0].RssMb;
    var peak = samples.Max(x => x.RssMb);
    var last = samples[^1].RssMb;
    Console.WriteLine($"\nstart {startRss:N0} MB, peak {peak:N0} MB, {idle} s after the burst {last:N0} MB ({100 * (last - startRss) / startRss:+0;-0} % of the start)");
    return;
}

Console.WriteLine($"| run | missions | clients | missions/s (HTTP) | server CPU µs/mission | client CPU µs/mission | chat p50 ms | chat p99 ms | chat→active p50 ms | chat→active p99 ms | SSE delivery p50 ms | SSE delivery p99 ms | offered/s |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
var throughputs = new List<double>();
var sseP99s = new List<double>();
var activeP99s = new List<double>();
var chatP99s = new List<double>();
var fsyncNotes = new List<string>();
var latencyNotes = new List<string>();
for (var run = 1; run <= runs; run++)
{
    await using var app = await WebApp.StartAsync(args.Contains("--cluster"));
    if (warmup > 0)
    {
        await ThroughputAsync(app.Http, warmup, clients, "w");
        Console.Error.WriteLine($"warm-up of {warmup} missions done");
    }
    var (serverCpu, clientCpu) = (app.ServerCpu, Process.GetCurrentProcess().TotalProcessorTime);
    var throughput = await ThroughputAsync(app.Http, missions, clients, "t", already: warmup);
    var serverUs = (app.ServerCpu - serverCpu).TotalMicroseconds / missions;
    var clientUs = (Process.GetCurrentProcess().TotalProcessorTime - clientCpu).TotalMicroseconds / missions;
    Console.Error.WriteLine($"throughput phase done: {throughput:N0}/s");
    var before = await app.Http.GetStringAsync("metrics");
    var (chat, active, sse) = await LatencyAsync(app.Http, rate, seconds: 4);
    var after = await app.Http.GetStringAsync("metrics");
    var fsyncs = Buckets(after, FsyncHistogram, MissionLogFile);
    latencyNotes.Add($"run {run}: created → run started in the server: {Tail(Buckets(after, ChatToActiveHistogram), Buckets(before, ChatToActiveHistogram), "requests")}; " +
        $"fsyncs of missions.jsonl: {Tail(fsyncs, Buckets(before, FsyncHistogram, MissionLogFile), "batches")}");
    throughputs.Add(throughput);
    sseP99s.Add(Percentile(sse, 0.99));
    activeP99s.Add(Percentile(active, 0.99));
    chatP99s.Add(Percentile(chat, 0.99));
    fsyncNotes.Add($"run {run}: {Tail(fsyncs, [], "batches")}");
    Console.WriteLine($"| {run} | {missions:N0} | {clients} | {throughput:N0} | {serverUs:N0} | {clientUs:N0} | {Percentile(chat, 0.5):N2} | {Percentile(chat, 0.99):N2} | {Percentile(active, 0.5):N2} | {Percentile(active, 0.99):N2} | {Percentile(sse, 0.5):N2} | {Percentile(sse, 0.99):N2} | {rate} |");
}
throughputs.Sort();
sseP99s.Sort();
activeP99s.Sort();
chatP99s.Sort();
Console.WriteLine($"| **median** | | | **{throughputs[runs / 2]:N0}** | | | | **{chatP99s[runs / 2]:N2}** | | **{activeP99s[runs / 2]:N2}** | | **{sseP99s[runs / 2]:N2}** | |");
Console.WriteLine();
Console.WriteLine("fsync of missions.jsonl over the whole run (the server's missions.log.fsync histogram):");
fsyncNotes.ForEach(n => Console.WriteLine($"- {n}"));
Console.WriteLine();
Console.WriteLine($"During the {rate}/s phase alone (the server's histograms, read before and after it):");
latencyNotes.ForEach(n => Console.WriteLine($"- {n}"));

int Arg(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : fallback;
}

// A histogram's cumulative counts by upper bound (le) in a /metrics text, over the series that carry
// label (all of them when it is null), summed.
static Dictionary<string, double> Buckets(string metrics, string histogram, string? label = null)
{
    var counts = new Dictionary<string, double>();
    foreach (var line in metrics.Split('\n'))
    {
        if (line.StartsWith(histogram) && (label is null || line.Contains(label)))
        {
            var le = line[(line.IndexOf(",le=\"", StringComparison.Ordinal) + 5)..]; // not file="…"
            le = le[..le.IndexOf('"')];
            counts[le] = counts.GetValueOrDefault(le) + double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
    }
    return counts;
}

// How many of what was recorded between two readings took longer than 10, 25 and 50 ms.
static string Tail(Dictionary<string, double> after, Dictionary<string, double> before, string what)
{
    double Count(string le) => after.GetValueOrDefault(le) - before.GetValueOrDefault(le);
    var all = Count("+Inf");
    if (all <= 0) return $"no {what} on /metrics";
    string Over(string le) => after.ContainsKey(le) ? $"{all - Count(le):N0} ({(all - Count(le)) / all:P2})" : "?";
    return $"{all:N0} {what}; over 10 ms: {Over("0.01")}, over 25 ms: {Over("0.025")}, over 50 ms: {Over("0.05")}";
}

static double Percentile(List<double> values, double p)
{
    if (values.Count == 0) return double.NaN;
    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

static async Task<double> ThroughputAsync(HttpClient http, int n, int clients, string tag, int already = 0)
{
    var sessions = await NewSessionsAsync(http, clients);
    var clock = Stopwatch.StartNew();
    var next = -1;
    var refused = 0;
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
    {
        while (Interlocked.Increment(ref next) is var i && i < n)
        {
            while (true)
            {
                using var response = await http.PostAsJsonAsync("chat/integrated",
                    new { session_id = sessions[c], message = $"fetch https://example.org/{tag}{i}", client_message_id = $"{tag}{i}" });
                if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable)
                {
                    response.EnsureSuccessStatusCode();
                    break;
                }
                // Past the queue's bound the server refuses new work at once (Retry-After): counted, and sent again shortly.
                Interlocked.Increment(ref refused);
                await Task.Delay(100);
            }
        }
    })));
    if (refused > 0)
    {
        Console.Error.WriteLine($"{tag}: {refused} requests refused past the queue's bound (503, sent again after 100 ms)");
    }
    while (true)
    {
        var page = await http.GetFromJsonAsync<JsonElement>("api/whiteboard?limit=1");
        if (page.GetProperty("counts").GetProperty("completed").GetInt32() >= already + n) break;
        if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("missions did not finish");
        await Task.Delay(5);
    }
    return n / clock.Elapsed.TotalSeconds;
}

static async Task<(List<double> Chat, List<double> Active, List<double> Sse)> LatencyAsync(HttpClient http, int rate, int seconds)
{
    var sse = new ConcurrentBag<double>();
    var active = new ConcurrentBag<double>();
    var sentAt = new ConcurrentDictionary<int, long>();    // request number → Stopwatch timestamp when sent
    var requestOf = new Dictionary<string, int>();          // mission id → request number (from its created line)
    using var stop = new CancellationTokenSource();
    using var stream = await http.GetStreamAsync("api/whiteboard/stream");
    var reader = Task.Run(async () =>
    {
        using var lines = new StreamReader(stream);
        try
        {
            while (await lines.ReadLineAsync(stop.Token) is { } line)
            {
                var now = Stopwatch.GetTimestamp();
                if (line.StartsWith("data: {\"event_type\":\"mission_created\""))
                {
                    var created = JsonDocument.Parse(line[6..]).RootElement;
                    var text = created.GetProperty("source_message").GetString()!;
                    var at = text.LastIndexOf("/l", StringComparison.Ordinal);
                    if (at >= 0 && int.TryParse(text[(at + 2)..], out var n)) requestOf[created.GetProperty("mission_id").GetString()!] = n;
                    continue;
                }
                if (!line.StartsWith("data: {\"event_type\":\"mission_status_update\"")) continue;
                var seen = DateTime.UtcNow;
                var e = JsonDocument.Parse(line[6..]).RootElement;
                if (e.GetProperty("status").GetString() == "active"
                    && requestOf.TryGetValue(e.GetProperty("mission_id").GetString()!, out var request) && sentAt.TryGetValue(request, out var sent))
                {
                    active.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
                }
                if (e.GetProperty("status").GetString() == "completed")
                {
                    // The line's timestamp is taken just before it is written and fsynced.
                    sse.Add((seen - e.GetProperty("timestamp").GetDateTime()).TotalMilliseconds);
                }
            }
        }
        catch (OperationCanceledException) { }
    });
    var chat = new ConcurrentBag<double>();
    var latencySessions = await NewSessionsAsync(http, 64);
    var total = rate * seconds;
    var clock = Stopwatch.StartNew();
    var sends = new List<Task>();
    for (var i = 0; i < total; i++)
    {
        var due = TimeSpan.FromSeconds((double)i / rate);
        var ahead = due - clock.Elapsed;
        if (ahead > TimeSpan.Zero) await Task.Delay(ahead);
        var n = i;
        sends.Add(Task.Run(async () =>
        {
            var start = Stopwatch.GetTimestamp();
            sentAt[n] = start;
            using var response = await http.PostAsJsonAsync("chat/integrated", new { session_id = latencySessions[n % 64], message = $"fetch https://example.org/l{n}" });
            response.EnsureSuccessStatusCode();
            chat.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }));
    }
    Console.Error.WriteLine($"sent {total}; waiting for responses");
    await Task.WhenAll(sends);
    Console.Error.WriteLine($"responses in; {sse.Count} seen on the stream");
    var wait = Stopwatch.StartNew();
    while (sse.Count < total && wait.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(10);
    stop.Cancel();
    await reader;
    return (chat.ToList(), active.ToList(), sse.ToList());
}

/// <summary>Conversation ids are the server's: a client asks for them.</summary>
static async Task<string[]> NewSessionsAsync(HttpClient http, int n) =>
    await Task.WhenAll(Enumerable.Range(0, n).Select(async _ =>
    {
        using var response = await http.PostAsync("api/conversations", null);
        if (response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.MethodNotAllowed or System.Net.HttpStatusCode.UnsupportedMediaType)
        {
            return "bench-" + Guid.NewGuid().ToString("N"); // a build from before conversation ids were the server's (a before/after comparison)
        }
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("session_id").GetString()!;
    }));


sealed class WebApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _data;

    private WebApp(Process process, string data, HttpClient http) { _process = process; _data = data; Http = http; }

    public HttpClient Http { get; }

    /// <summary>The server process's resident set, MB.</summary>
    public double RssMb
    {
        get
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        }
    }

    /// <summary>The server process's processor time so far.</summary>
    public TimeSpan ServerCpu { get { _process.Refresh(); return _process.TotalProcessorTime; } }

    public static async Task<WebApp> StartAsync(bool cluster)
    {
        var data = Path.Combine(Path.GetTempPath(), "missions-httpbench", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string> { ["Missions__Execution__MaxConcurrency"] = "256" };
        if (cluster)
        {
            var admin = Environment.GetEnvironmentVariable("MISSIONS_BENCH_PG") ?? throw new InvalidOperationException("--cluster needs MISSIONS_BENCH_PG");
            var name = await FreezeBench.CreateDatabaseAsync(admin, "httpbench_");
            settings["Missions__Store__PostgreSql"] = new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
            settings["Missions__Cluster__Redis"] = Environment.GetEnvironmentVariable("MISSIONS_BENCH_REDIS") ?? throw new InvalidOperationException("--cluster needs MISSIONS_BENCH_REDIS");
            settings["Missions__Orleans__ClusterId"] = name;
            settings["Missions__Orleans__ServiceId"] = name;
        }
        var (process, port) = WebFrontendProcess.Start(data, settings);
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(2) };
        for (var i = 0; i < 600; i++)
        {
            try { if ((await http.GetAsync("healthz")).IsSuccessStatusCode) return new WebApp(process, data, http); }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        process.Kill(true);
        throw new TimeoutException("the web frontend did not start");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _process.Kill(true);
        await _process.WaitForExitAsync();
        try { Directory.Delete(_data, true); } catch (IOException) { }
    }
}

