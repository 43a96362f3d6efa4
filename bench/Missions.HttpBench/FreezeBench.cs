using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Missions.Benchmarks;

/// <summary>
/// A frozen silo, seen from outside (issue 29): standalone silos on Redis and PostgreSQL (bench/with-servers.sh), a
/// web frontend as their client, a steady load of chat requests that each make a mission (delay executor, 500 ms a
/// run); after a warm-up one silo is stopped with SIGSTOP (as a long GC, a VM paused or a process cut off is), then
/// resumed. The membership settings are the defaults a deployment gets. Printed: per phase, the requests sent and
/// answered, the 503s and other failures, the answer times, and the missions completed a second (from the web
/// frontend's whiteboard), the longest stretch with none; and when the others declared the frozen one dead.
/// </summary>
static class FreezeBench
{
    private const int Conversations = 30;

    public static async Task RunAsync(int freezeSeconds, int siloCount, int rate, int frozenSilo, int maxConcurrency)
    {
        var admin = Environment.GetEnvironmentVariable("MISSIONS_BENCH_PG") ?? throw new InvalidOperationException("--freeze-silo needs MISSIONS_BENCH_PG (bench/with-servers.sh)");
        var redis = Environment.GetEnvironmentVariable("MISSIONS_BENCH_REDIS") ?? throw new InvalidOperationException("--freeze-silo needs MISSIONS_BENCH_REDIS (bench/with-servers.sh)");
        var name = await CreateDatabaseAsync(admin, "freeze_");
        var root = Path.Combine(Path.GetTempPath(), "missions-freezebench", name);
        var shared = new Dictionary<string, string>
        {
            ["Missions__Store__PostgreSql"] = new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString,
            ["Missions__Cluster__Redis"] = redis,
            ["Missions__Orleans__ClusterId"] = name,
            ["Missions__Orleans__ServiceId"] = name,
            ["Missions__Execution__Executor"] = "delay",
            ["Missions__Execution__DelayMilliseconds"] = "500",
            ["Missions__Execution__MaxConcurrency"] = maxConcurrency.ToString(),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            ["Logging__LogLevel__Missions.Queue.ExecutionQueueGrain"] = "Information", // which silo holds the queue
        };
        // Settings for every process on top (an operator's tuning to compare): MISSIONS_FREEZE_SETTINGS="Key=value;Key=value".
        foreach (var pair in (Environment.GetEnvironmentVariable("MISSIONS_FREEZE_SETTINGS") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=');
            shared[pair[..at].Trim()] = pair[(at + 1)..].Trim();
        }
        var processes = new List<Child>();
        try
        {
            var silos = new List<Child>();
            for (var i = 1; i <= siloCount; i++)
            {
                silos.Add(Child.Start(SiloDll(), new Dictionary<string, string>(shared)
                {
                    ["Missions__DataDirectory"] = Path.Combine(root, $"silo{i}"),
                    ["Missions__Orleans__SiloPort"] = WebFrontendProcess.FreePort().ToString(),
                    ["Missions__Orleans__GatewayPort"] = WebFrontendProcess.FreePort().ToString(),
                }));
            }
            processes.AddRange(silos);
            await WaitAsync(() => silos.All(s => s.Output.Contains("Application started")), TimeSpan.FromSeconds(90), "the silos to start");
            var port = WebFrontendProcess.FreePort();
            var web = Child.Start(WebFrontendProcess.Dll(), new Dictionary<string, string>(shared)
            {
                ["Missions__DataDirectory"] = Path.Combine(root, "web"),
                ["Missions__Orleans__Mode"] = "client",
            }, "--urls", $"http://127.0.0.1:{port}");
            processes.Add(web);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60),
            };
            await WaitAsync(async () => (await http.GetAsync("readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(90), "the web frontend to be ready");
            var sessions = await Task.WhenAll(Enumerable.Range(0, Conversations).Select(async _ =>
            {
                using var response = await http.PostAsync("api/conversations", null);
                response.EnsureSuccessStatusCode();
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("session_id").GetString()!;
            }));

            const int warmSeconds = 20;
            const int afterSeconds = 30;
            var clock = Stopwatch.StartNew();
            var requests = new ConcurrentBag<(double SentAt, double Ms, int Status)>();
            var completions = new List<(double At, int Completed)>();
            var stored = new List<(double At, int Completed)>(); // the store's own count: what the web frontend's mirror shows may lag it
            await using var store = Npgsql.NpgsqlDataSource.Create(shared["Missions__Store__PostgreSql"]);
            using var stop = new CancellationTokenSource();
            var inFlight = new List<Task>();
            var load = Task.Run(async () =>
            {
                var sent = 0;
                while (!stop.IsCancellationRequested)
                {
                    var due = sent / (double)rate;
                    var wait = due - clock.Elapsed.TotalSeconds;
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(wait));
                    }
                    var i = sent++;
                    lock (inFlight)
                    {
                        inFlight.Add(SendAsync(http, sessions[i % Conversations], i, clock, requests));
                    }
                }
            });
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        var page = await http.GetFromJsonAsync<JsonElement>("api/whiteboard?limit=1");
                        var completed = page.GetProperty("counts").TryGetProperty("completed", out var n) ? n.GetInt32() : 0;
                        lock (completions)
                        {
                            completions.Add((clock.Elapsed.TotalSeconds, completed));
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                    }
                    try
                    {
                        await using var count = store.CreateCommand("SELECT count(*) FROM missions WHERE status = 'completed'");
                        var completed = Convert.ToInt32(await count.ExecuteScalarAsync());
                        lock (stored)
                        {
                            stored.Add((clock.Elapsed.TotalSeconds, completed));
                        }
                    }
                    catch (Npgsql.NpgsqlException)
                    {
                    }
                    await Task.Delay(1_000);
                }
            });

            await Task.Delay(TimeSpan.FromSeconds(warmSeconds));
            // --frozen 0: the silo the execution queue (one grain for the cluster) lives on; -1: one it does not live on.
            var frozen = frozenSilo switch
            {
                0 => silos.FirstOrDefault(s => s.Output.Contains("Execution queue activated")) ?? throw new InvalidOperationException("no silo says it holds the execution queue"),
                < 0 => silos.First(s => !s.Output.Contains("Execution queue activated")),
                _ => silos[Math.Clamp(frozenSilo, 1, siloCount) - 1],
            };
            var others = silos.Where(s => s != frozen).ToList();
            var frozenAt = clock.Elapsed.TotalSeconds;
            var outputBefore = others.Select(s => s.Output.Length).ToList();
            Signal("STOP", frozen.Id);
            double? declaredDead = null;
            for (var t = 0; t < freezeSeconds * 10; t++)
            {
                await Task.Delay(100);
                if (declaredDead is null && others.Select((s, i) => s.Output[outputBefore[i]..]).Any(o => o.Contains("left the cluster")))
                {
                    declaredDead = clock.Elapsed.TotalSeconds - frozenAt;
                }
            }
            Signal("CONT", frozen.Id);
            var resumedAt = clock.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(afterSeconds));
            await stop.CancelAsync();
            await load;
            await sampler;
            Task[] pending;
            lock (inFlight)
            {
                pending = [.. inFlight];
            }
            await Task.WhenAll(pending);
            var accepted = requests.Count(r => r.Status == 200);
            var drain = Stopwatch.StartNew();
            var finalCompleted = 0;
            while (drain.Elapsed < TimeSpan.FromSeconds(180))
            {
                var page = await http.GetFromJsonAsync<JsonElement>("api/whiteboard?limit=1");
                finalCompleted = page.GetProperty("counts").TryGetProperty("completed", out var n) ? n.GetInt32() : 0;
                if (finalCompleted >= accepted)
                {
                    break;
                }
                await Task.Delay(1_000);
            }

            Console.WriteLine($"{siloCount} silos and a web frontend (client), delay executor 500 ms, MaxConcurrency {maxConcurrency}, {rate} chat requests/s " +
                $"over {Conversations} conversations; silo {silos.IndexOf(frozen) + 1}{(frozen.Output.Contains("Execution queue activated") ? " (the queue's)" : "")} SIGSTOPped at {frozenAt:N1} s for {freezeSeconds} s; " +
                $"settings on top: {Environment.GetEnvironmentVariable("MISSIONS_FREEZE_SETTINGS") ?? "none (membership defaults)"}");
            Console.WriteLine($"declared dead by the others: {(declaredDead is { } d ? $"{d:N1} s after the freeze" : "not within the freeze")} (as their console output said it; it lags when they log much)");
            Console.WriteLine();
            Console.WriteLine("| phase | s | requests | answered 200 | 503 | other failures | answer p50 ms | answer p99 ms | longest answer ms | completed a second, whiteboard (median, lowest) | longest none, whiteboard s | completed a second, store (median, lowest) | longest none, store s |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|");
            Phase("before", 5, frozenAt);
            Phase("frozen", frozenAt, resumedAt);
            Phase("after", resumedAt, resumedAt + afterSeconds);
            Console.WriteLine();
            Console.WriteLine($"accepted {accepted:N0} missions; completed {finalCompleted:N0} after the load stopped ({drain.Elapsed.TotalSeconds:N0} s of draining)");
            var failures = requests.Where(r => r.Status is not 200).GroupBy(r => r.Status).Select(g => $"{(g.Key < 0 ? "no answer" : "HTTP " + g.Key)}: {g.Count()}");
            Console.WriteLine($"failures by kind: {string.Join(", ", failures)}");
            Console.WriteLine($"what they said: {string.Join("; ", FailureTitles.Select(f => $"{f.Key} ×{f.Value}"))}");
            // Which grains the web frontend's requests waited on (its log names the call that timed out).
            var waitedOn = System.Text.RegularExpressions.Regex.Matches(web.Output, @"[Tt]ype=?\s*([A-Za-z.]+Grain)|(?<=\.)([A-Za-z]+Grain)\b")
                .Select(m => m.Value.Split('.', '=', ' ')[^1]).GroupBy(g => g).Select(g => $"{g.Key} ×{g.Count()}");
            Console.WriteLine($"grains named in the web frontend's log: {string.Join(", ", waitedOn)}");
            if (Environment.GetEnvironmentVariable("MISSIONS_FREEZE_LOGS") is { Length: > 0 } logs)
            {
                Directory.CreateDirectory(logs);
                File.WriteAllText(Path.Combine(logs, "web.log"), web.Output);
                for (var i = 0; i < silos.Count; i++)
                {
                    File.WriteAllText(Path.Combine(logs, $"silo{i + 1}.log"), silos[i].Output);
                }
            }

            void Phase(string label, double from, double to)
            {
                var these = requests.Where(r => r.SentAt >= from && r.SentAt < to).ToList();
                var ok = these.Where(r => r.Status == 200).Select(r => r.Ms).Order().ToList();
                var (board, boardNone) = Rates(completions, from, to);
                var (kept, keptNone) = Rates(stored, from, to);
                string P(List<double> v, double p) => v.Count == 0 ? "—" : v[Math.Min(v.Count - 1, (int)(p * v.Count))].ToString("N0");
                Console.WriteLine($"| {label} | {to - from:N0} | {these.Count:N0} | {ok.Count:N0} | {these.Count(r => r.Status == 503):N0} | " +
                    $"{these.Count(r => r.Status is not (200 or 503)):N0} | {P(ok, 0.5)} | {P(ok, 0.99)} | {(ok.Count == 0 ? "—" : ok[^1].ToString("N0"))} | " +
                    $"{P(board, 0.5)}, {P(board, 0)} | {boardNone:N1} | {P(kept, 0.5)}, {P(kept, 0)} | {keptNone:N1} |");
            }

            static (List<double> PerSecond, double LongestNone) Rates(List<(double At, int Completed)> all, double from, double to)
            {
                List<(double At, int Completed)> samples;
                lock (all)
                {
                    samples = [.. all.Where(c => c.At >= from - 1 && c.At <= to + 0.5)];
                }
                var perSecond = new List<double>();
                var longestNone = 0.0;
                var noneSince = (double?)null;
                for (var i = 1; i < samples.Count; i++)
                {
                    var rateNow = (samples[i].Completed - samples[i - 1].Completed) / Math.Max(0.001, samples[i].At - samples[i - 1].At);
                    perSecond.Add(rateNow);
                    if (samples[i].Completed == samples[i - 1].Completed)
                    {
                        noneSince ??= samples[i - 1].At;
                        longestNone = Math.Max(longestNone, samples[i].At - noneSince.Value);
                    }
                    else
                    {
                        noneSince = null;
                    }
                }
                perSecond.Sort();
                return (perSecond, longestNone);
            }
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }

    /// <summary>A fresh database of its own on the bench's PostgreSQL (its name also serves as the cluster's id).</summary>
    public static async Task<string> CreateDatabaseAsync(string admin, string prefix)
    {
        var name = prefix + Guid.NewGuid().ToString("N")[..10];
        await using var connection = new Npgsql.NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return name;
    }

    /// <summary>What the failed answers said (status and problem title), and how many said it.</summary>
    private static readonly ConcurrentDictionary<string, int> FailureTitles = new();

    private static async Task SendAsync(HttpClient http, string session, int i, Stopwatch clock, ConcurrentBag<(double, double, int)> requests)
    {
        var sentAt = clock.Elapsed.TotalSeconds;
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await http.PostAsJsonAsync("chat/integrated",
                new { session_id = session, message = $"fetch https://example.org/freeze/page-{i}", client_message_id = $"f-{i}" });
            requests.Add((sentAt, watch.Elapsed.TotalMilliseconds, (int)response.StatusCode));
            if (!response.IsSuccessStatusCode)
            {
                var title = (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("title", out var t) ? t.GetString() : null;
                FailureTitles.AddOrUpdate($"{(int)response.StatusCode} {title}", 1, (_, n) => n + 1);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            requests.Add((sentAt, watch.Elapsed.TotalMilliseconds, -1));
        }
    }

    /// <summary>The built silo, beside the web frontend's build.</summary>
    private static string SiloDll() =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(WebFrontendProcess.Dll())!, "..", "..", "..", "..", "Silo", "bin", "Release", "net10.0", "Missions.Silo.dll"));

    private static void Signal(string signal, int pid) => Process.Start("kill", $"-{signal} {pid}")!.WaitForExit();

    private static async Task WaitAsync(Func<bool> done, TimeSpan within, string what) => await WaitAsync(() => Task.FromResult(done()), within, what);

    private static async Task WaitAsync(Func<Task<bool>> done, TimeSpan within, string what)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < within)
        {
            try
            {
                if (await done())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"waited {within.TotalSeconds:N0} s for {what}");
    }

    /// <summary>A process of the cluster, its output kept (the silos say when they have joined, and who left).</summary>
    private sealed class Child : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output;

        private Child(Process process, StringBuilder output) => (_process, _output) = (process, output);

        public int Id => _process.Id;

        public string Output
        {
            get { lock (_output) { return _output.ToString(); } }
        }

        public static Child Start(string dll, Dictionary<string, string> settings, params string[] args)
        {
            var output = new StringBuilder();
            return new Child(WebFrontendProcess.StartDll(dll, settings, line => { lock (output) { output.AppendLine(line); } }, args), output);
        }

        public void Dispose()
        {
            try
            {
                Signal("CONT", _process.Id);
                _process.Kill(true);
                _process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
            }
            _process.Dispose();
        }
    }
}
