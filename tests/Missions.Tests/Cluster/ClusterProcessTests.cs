using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Missions.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Missions.Tests.Cluster;

/// <summary>
/// Cluster mode as it runs: silo processes on Redis (membership, reminders) and PostgreSQL (the store), a web
/// frontend as their client mirroring the store. Processes are killed, stopped and restarted under load.
/// </summary>
[Collection(ClusterServersCollection.Name)]
public sealed class ClusterProcessTests(ClusterServers servers, ITestOutputHelper output)
{
    private const int Clients = 16;

    /// <summary>The cluster's limit on missions running at once.</summary>
    private const int MaxConcurrency = 24;

    /// <summary>A cluster of its own (its own database, cluster id and data directories) on the shared servers.</summary>
    private sealed class LocalCluster(ClusterServers servers, string store) : IAsyncDisposable
    {
        private readonly string _clusterId = "c" + Guid.NewGuid().ToString("N")[..10];
        private readonly List<TempDirectory> _directories = [];

        public List<AppProcess> Silos { get; } = [];
        public AppProcess? Web { get; private set; }
        public HttpClient Http { get; private set; } = null!;
        public string Store { get; } = store;
        public TempDirectory WebData { get; } = new();

        private Dictionary<string, string> Shared(int delayMs)
        {
            var settings = new Dictionary<string, string>
            {
                ["Missions__Cluster__Redis"] = servers.Redis.ConnectionString,
                ["Missions__Store__PostgreSql"] = Store,
                ["Missions__Orleans__ClusterId"] = _clusterId,
                ["Missions__Orleans__ServiceId"] = _clusterId,
                ["Missions__Execution__Executor"] = "delay",
                ["Missions__Execution__DelayMilliseconds"] = delayMs.ToString(),
                ["Missions__Execution__MaxConcurrency"] = MaxConcurrency.ToString(),
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information", // "Application started": the silo has joined
            };
            foreach (var (key, value) in Extra)
            {
                settings[key] = value;
            }
            return settings;
        }

        /// <summary>Settings every process of this cluster gets on top of the usual ones.</summary>
        public Dictionary<string, string> Extra { get; } = [];

        public AppProcess StartSilo(int delayMs)
        {
            var data = new TempDirectory();
            _directories.Add(data);
            var silo = AppProcess.Start(RepositoryPaths.SiloDll, $"silo {Silos.Count + 1}", new Dictionary<string, string>(Shared(delayMs))
            {
                ["Missions__DataDirectory"] = data.Path,
                ["Missions__Orleans__SiloPort"] = FreePort.Next().ToString(),
                ["Missions__Orleans__GatewayPort"] = FreePort.Next().ToString(),
            });
            Silos.Add(silo);
            return silo;
        }

        /// <summary>Waits until every silo started has joined the cluster (missions are placed only on silos that have).</summary>
        public Task WaitForSilosAsync() =>
            Eventually.WaitAsync(() => Silos.All(s => s.HasExited || s.Output.Contains("Application started")), TimeSpan.FromSeconds(90), $"the silos to join\n{Outputs}");

        /// <summary>The web frontend's management URL (readiness with the operators' detail, the dashboard, metrics).</summary>
        public HttpClient? Ops { get; private set; }

        public async Task StartWebAsync(int delayMs)
        {
            await WaitForSilosAsync();
            var port = FreePort.Next();
            var management = FreePort.Next();
            Http?.Dispose();
            Ops?.Dispose();
            Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
            Ops = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{management}/"), Timeout = TimeSpan.FromSeconds(30) };
            Web = AppProcess.Start(RepositoryPaths.WebFrontendDll, "web frontend (cluster client)", new Dictionary<string, string>(Shared(delayMs))
            {
                ["Missions__DataDirectory"] = WebData.Path,
                ["Missions__Orleans__Mode"] = "client",
                ["Missions__ManagementUrls"] = $"http://127.0.0.1:{management}",
            }, "--urls", $"http://127.0.0.1:{port}");
            await Web.WaitUntilReadyAsync(Http, "readyz", TimeSpan.FromSeconds(90));
        }

        public async Task<int> CountAsync(string status)
        {
            var page = await Http.GetFromJsonAsync<JsonElement>("api/whiteboard?limit=1");
            return page.GetProperty("counts").TryGetProperty(status, out var n) ? n.GetInt32() : 0;
        }

        public string Outputs => string.Join("\n", Silos.Select(s => $"--- {s.Name}\n{s.Output}")) + $"\n--- web\n{Web?.Output}";

        public async ValueTask DisposeAsync()
        {
            if (Web is not null)
            {
                await Web.DisposeAsync();
            }
            foreach (var silo in Silos)
            {
                await silo.DisposeAsync();
            }
            Http?.Dispose();
            WebData.Dispose();
            foreach (var data in _directories)
            {
                data.Dispose();
            }
        }
    }

    /// <summary>The conversations each <see cref="SubmitAsync"/> sent its missions in (the server makes their ids), by tag.</summary>
    private static readonly ConcurrentDictionary<string, string[]> SessionsOf = new();

    private static async Task<Dictionary<int, string>> SubmitAsync(HttpClient http, int count, string tag)
    {
        var answered = new ConcurrentDictionary<int, string>();
        var sessions = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => Conversations.NewAsync(http)));
        SessionsOf[tag] = sessions;
        var pending = new ConcurrentQueue<int>(Enumerable.Range(0, count));
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            while (pending.TryDequeue(out var i))
            {
                using var response = await http.PostAsJsonAsync("chat/integrated",
                    new { session_id = sessions[i % 30], message = $"fetch https://example.org/{tag}/page-{i}", client_message_id = $"m-{i}" });
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.True(response.IsSuccessStatusCode, body.ToString());
                answered[i] = body.GetProperty("mission_id").GetString()!;
            }
        })));
        return new Dictionary<int, string>(answered);
    }

    /// <summary>Every line of the store, parsed, in position order.</summary>
    private static async Task<List<MissionEvent>> StoreEventsAsync(string store)
    {
        await using var db = NpgsqlDataSource.Create(store);
        await using var command = db.CreateCommand("SELECT line FROM mission_events ORDER BY position");
        await using var reader = await command.ExecuteReaderAsync();
        var events = new List<MissionEvent>();
        while (await reader.ReadAsync())
        {
            events.Add(MissionLogReader.ParseLine(Encoding.UTF8.GetBytes(reader.GetString(0))));
        }
        return events;
    }

    /// <summary>One run as the store shows it: from its <c>active</c> line to the mission's next status line (its end, or the line that queues it again).</summary>
    private sealed record Run(string Mission, int Attempt, DateTime From, DateTime To, string EndedBy);

    private static List<Run> RunsIn(List<MissionEvent> events)
    {
        var runs = new List<Run>();
        foreach (var mission in events.OfType<MissionStatusUpdated>().GroupBy(e => e.MissionId))
        {
            var lines = mission.OrderBy(e => e.Seq).ToList();
            for (var i = 0; i < lines.Count - 1; i++)
            {
                if (lines[i].Status == MissionStatus.Active)
                {
                    runs.Add(new Run(mission.Key, lines[i].Attempt, lines[i].Timestamp, lines[i + 1].Timestamp, $"{lines[i + 1].Status.ToWireName()}/{lines[i + 1].Reason}"));
                }
            }
        }
        return runs;
    }

    /// <summary>The most runs the store shows at once, across every silo.</summary>
    private static int MostRunningAtOnce(List<MissionEvent> events) => MostRunningAtOnce(RunsIn(events), out _);

    /// <summary>As above, and which runs were going at the busiest instant (mission, attempt, from, to, the line that ended it).</summary>
    private static int MostRunningAtOnce(List<Run> runs, out string busiest)
    {
        var edges = runs.SelectMany(r => new[] { (At: r.From, Delta: +1), (At: r.To, Delta: -1) });
        var (running, most, busiestAt) = (0, 0, DateTime.MinValue);
        foreach (var (at, delta) in edges.OrderBy(e => e.At).ThenBy(e => e.Delta)) // an end before a start at the same instant
        {
            running += delta;
            if (running > most)
            {
                (most, busiestAt) = (running, at);
            }
        }
        busiest = $"at {busiestAt:HH:mm:ss.fff}: " + string.Join("; ", runs.Where(r => r.From <= busiestAt && r.To > busiestAt)
            .Select(r => $"{r.Mission} #{r.Attempt} {r.From:HH:mm:ss.fff}-{r.To:HH:mm:ss.fff} {r.EndedBy}"));
        return most;
    }

    /// <summary>Each mission: one creation, lines numbered 1..n, exactly one end per attempt, completed in the end.</summary>
    private static void AssertEachEndedOncePerAttempt(List<MissionEvent> events, IEnumerable<string> missionIds)
    {
        foreach (var mission in events.GroupBy(e => e.MissionId))
        {
            Assert.Equal(Enumerable.Range(1, mission.Count()), mission.Select(e => e.Seq));
            Assert.Single(mission.OfType<MissionCreated>());
            var ends = mission.OfType<MissionStatusUpdated>().Where(u => u.Status.IsTerminal()).ToList();
            Assert.Equal(MissionStatus.Completed, Assert.Single(ends).Status);
        }
        Assert.Equal(missionIds.Order(), events.OfType<MissionCreated>().Select(c => c.MissionId).Order());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)] // the queue in partitions, one a silo: the limit is the sum of their shares
    public async Task A_silo_killed_mid_run_loses_nothing_its_runs_end_once_as_attempt_2_on_the_others_and_the_mirror_matches_the_store(int queuePartitions)
    {
        const int missions = 300;
        await using var cluster = new LocalCluster(servers, await servers.Postgres.CreateDatabaseAsync());
        cluster.Extra["Logging__LogLevel__Missions.MissionGrain"] = "Information"; // each start, to see which silo runs the most
        cluster.Extra["Missions__Execution__QueuePartitions"] = queuePartitions.ToString();
        for (var i = 0; i < 3; i++)
        {
            cluster.StartSilo(delayMs: 1_500);
        }
        await cluster.StartWebAsync(delayMs: 1_500);

        var answered = await SubmitAsync(cluster.Http, missions, "kill");
        await Eventually.WaitAsync(() => cluster.CountAsync("completed"), n => n >= missions / 4, TimeSpan.FromSeconds(90), "a quarter of the missions to complete");
        // The silo running the most right now (runs started less runs ended, from its log): placement spreads missions by
        // load, and one that runs none when it is killed would test nothing — nor would the busiest so far, if a slow
        // submission let its runs end before the kill.
        static int Running(AppProcess silo) =>
            System.Text.RegularExpressions.Regex.Count(silo.Output, @"attempt \d+ started") - System.Text.RegularExpressions.Regex.Count(silo.Output, @"attempt \d+ ended");
        await Eventually.WaitAsync(() => cluster.Silos.Any(s => Running(s) >= 2), TimeSpan.FromSeconds(30), $"a silo with runs going\n{cluster.Outputs}");
        var victim = cluster.Silos.MaxBy(Running)!;
        await victim.KillAsync();
        var killed = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.WaitAsync(() => cluster.CountAsync("completed"), n => n >= missions, TimeSpan.FromSeconds(180),
            $"all {missions} missions to complete after {victim.Name} was killed\n{cluster.Outputs}");
        output.WriteLine($"all {missions} completed {killed.Elapsed.TotalSeconds:F1} s after the kill");

        var events = await StoreEventsAsync(cluster.Store);
        AssertEachEndedOncePerAttempt(events, answered.Values);
        var interrupted = events.OfType<MissionStatusUpdated>().Where(u => u.Reason == MissionReasons.Interrupted).ToList();
        Assert.True(interrupted.Count > 0, $"no run was cut off by the kill\n{cluster.Outputs}");
        Assert.All(interrupted, u => Assert.Equal(2, u.Attempt));
        var most = MostRunningAtOnce(RunsIn(events), out var busiest);
        Assert.True(most is >= 1 and <= MaxConcurrency, $"{most} runs at once (limit {MaxConcurrency}) {busiest}\n{cluster.Outputs}");
        output.WriteLine($"{interrupted.Count} runs cut off by the kill ran again as attempt 2; {events.Count} lines");

        // The web frontend's mirror holds the store's lines, line for line and in its order.
        await Eventually.WaitAsync(() => File.ReadAllLines(Path.Combine(cluster.WebData.Path, LogFiles.Missions)).Length == events.Count,
            TimeSpan.FromSeconds(30), "the mirror to hold every line");
        var mirrored = File.ReadAllLines(Path.Combine(cluster.WebData.Path, LogFiles.Missions))
            .Select(l => MissionLogReader.ParseLine(Encoding.UTF8.GetBytes(l))).ToList();
        Assert.Equal(events.Select(e => (e.MissionId, e.Seq)), mirrored.Select(e => (e.MissionId, e.Seq)));
    }

    [Fact]
    public async Task Signed_in_each_person_sees_their_own_through_the_mirror_and_ids_and_keys_live_in_the_store()
    {
        await using var provider = await OidcProvider.StartAsync();
        await using var cluster = new LocalCluster(servers, await servers.Postgres.CreateDatabaseAsync());
        cluster.Extra["Missions__Auth__Authority"] = provider.Issuer;
        cluster.Extra["Missions__Auth__ClientId"] = OidcProvider.WebClientId;
        cluster.Extra["Missions__Auth__ClientSecret"] = OidcProvider.WebClientSecret;
        cluster.Extra["Missions__Auth__RequireHttpsMetadata"] = "false";
        cluster.StartSilo(delayMs: 100);
        await cluster.StartWebAsync(delayMs: 100);
        HttpClient As(string token) => new() { BaseAddress = cluster.Http.BaseAddress, DefaultRequestHeaders = { Authorization = new("Bearer", token) } };
        var aliceToken = await provider.TokenForAsync("alice-script");
        var bobToken = await provider.TokenForAsync("bob-script");

        string session, mission;
        using (var alice = As(aliceToken))
        {
            var answer = await alice.PostAsJsonAsync("chat/integrated", new { message = "fetch https://example.org/owned" });
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
            var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
            (session, mission) = (body.GetProperty("session_id").GetString()!, body.GetProperty("mission_id").GetString()!);
            await Eventually.WaitAsync(async () => (await alice.GetAsync($"api/whiteboard/{mission}")).StatusCode, s => s == System.Net.HttpStatusCode.OK,
                TimeSpan.FromSeconds(30), "alice's mission in the mirror");
            Assert.Equal(System.Net.HttpStatusCode.OK, (await alice.GetAsync("api/me")).StatusCode); // its antiforgery token makes the first Data Protection key
        }
        using (var bob = As(bobToken))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await bob.GetAsync($"api/whiteboard/{mission}")).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await bob.GetAsync($"api/chat/{session}")).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await bob.PostAsync($"api/missions/{mission}/cancel", null)).StatusCode);
            Assert.DoesNotContain(mission, await bob.GetStringAsync("api/whiteboard?limit=500"));
        }

        // Another web frontend (the first killed): the conversation id it made is still alice's, read from the store's key.
        await cluster.Web!.KillAsync();
        await cluster.StartWebAsync(delayMs: 100);
        using (var alice = As(aliceToken))
        {
            var again = await alice.PostAsJsonAsync("chat/integrated", new { session_id = session, message = "status" });
            Assert.True(again.IsSuccessStatusCode, await again.Content.ReadAsStringAsync());
            Assert.Equal(System.Net.HttpStatusCode.OK, (await alice.GetAsync($"api/chat/{session}")).StatusCode);
        }
        await using var db = NpgsqlDataSource.Create(cluster.Store);
        await using (var keys = db.CreateCommand("SELECT (SELECT count(*) FROM data_protection_keys), (SELECT count(*) FROM missions_secrets)"))
        await using (var reader = await keys.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.True(reader.GetInt64(0) >= 1, "the Data Protection keys are in the store");
            Assert.Equal(1, reader.GetInt64(1));
        }
        // The owner is on the store's line, as on the embedded default.
        Assert.Contains(await StoreEventsAsync(cluster.Store), e => e is MissionCreated { Owner: { } owner } c && c.MissionId == mission && owner.StartsWith("p-"));
    }

    [Fact]
    public async Task The_web_frontend_killed_catches_up_PostgreSQL_down_is_a_503_with_its_reason_and_Redis_restarted_keeps_serving()
    {
        await using var cluster = new LocalCluster(servers, await servers.Postgres.CreateDatabaseAsync());
        cluster.StartSilo(delayMs: 200);
        cluster.StartSilo(delayMs: 200);
        await cluster.StartWebAsync(delayMs: 200);
        var answered = new Dictionary<string, string>();
        void Keep(Dictionary<int, string> sent, string tag)
        {
            foreach (var (i, id) in sent)
            {
                answered[$"{tag}-{i}"] = id;
            }
        }

        // kill -9 of the web frontend while the silos keep writing: its mirror catches up when it is back.
        Keep(await SubmitAsync(cluster.Http, 100, "before-web-kill"), "a");
        await cluster.Web!.KillAsync();
        await cluster.StartWebAsync(delayMs: 200);
        Keep(await SubmitAsync(cluster.Http, 50, "after-web-kill"), "b");

        // Redis restarted: membership and reminders come back, the cluster keeps serving.
        await servers.Redis.KillAsync();
        await servers.Redis.StartAsync();
        Keep(await SubmitAsync(cluster.Http, 30, "after-redis"), "c");

        // PostgreSQL stopped: a new request is refused with a 503 that says why; nothing acknowledged is lost.
        await Eventually.WaitAsync(() => cluster.CountAsync("completed"), n => n >= answered.Count, TimeSpan.FromSeconds(90), "the missions so far to complete");
        var downSession = await Conversations.NewAsync(cluster.Http);
        await servers.Postgres.StopAsync();
        try
        {
            using var refused = await cluster.Http.PostAsJsonAsync("chat/integrated",
                new { session_id = downSession, message = "fetch https://example.org/while-down", client_message_id = "down-1" });
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(refused.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable, $"{refused.StatusCode}: {problem}\n{cluster.Outputs}");
            // It says what is wrong and what to do — not where the store is or what the driver said (that is in the log).
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.Contains("mission store could not be", detail);
            Assert.Contains("try again", detail);
            using var ready = await cluster.Http.GetAsync("readyz");
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var readiness = await ready.Content.ReadAsStringAsync();
            var where = new NpgsqlConnectionStringBuilder(cluster.Store);
            foreach (var told in new[] { detail, readiness })
            {
                Assert.DoesNotContain(where.Host!, told);
                Assert.DoesNotContain($":{where.Port}", told);
                Assert.DoesNotContain("Npgsql", told);
            }
            // Operators, on the management URL, are told where and what the driver said.
            await Eventually.WaitAsync(async () => await (await cluster.Ops!.GetAsync("readyz")).Content.ReadAsStringAsync(),
                ops => ops.Contains($"{where.Host}:{where.Port}") && ops.Contains("Npgsql"), TimeSpan.FromSeconds(30), "the operators' readiness to say where the store is");
        }
        finally
        {
            await servers.Postgres.StartServerAsync();
        }
        // Back by itself: the same request (same client message id) now goes through.
        var after = await Eventually.WaitAsync(async () =>
        {
            using var response = await cluster.Http.PostAsJsonAsync("chat/integrated",
                new { session_id = downSession, message = "fetch https://example.org/while-down", client_message_id = "down-1" });
            return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("mission_id").GetString() : null;
        }, id => id is not null, TimeSpan.FromSeconds(60), $"the service to recover after PostgreSQL came back\n{cluster.Outputs}");
        answered["d-0"] = after!;

        await Eventually.WaitAsync(() => cluster.CountAsync("completed"), n => n >= answered.Count, TimeSpan.FromSeconds(90),
            $"all {answered.Count} missions to complete\n{cluster.Outputs}");
        var events = await StoreEventsAsync(cluster.Store);
        AssertEachEndedOncePerAttempt(events, answered.Values);
        await Eventually.WaitAsync(() => File.ReadAllLines(Path.Combine(cluster.WebData.Path, LogFiles.Missions)).Length == events.Count,
            TimeSpan.FromSeconds(30), "the mirror to hold every line");
        var mirrored = File.ReadAllLines(Path.Combine(cluster.WebData.Path, LogFiles.Missions))
            .Select(l => MissionLogReader.ParseLine(Encoding.UTF8.GetBytes(l))).Select(e => (e.MissionId, e.Seq));
        Assert.Equal(events.Select(e => (e.MissionId, e.Seq)), mirrored);

        // A conversation's history is read from the mirror: asked before the web frontend's kill, answered after it.
        var conversation = await Eventually.WaitAsync(
            () => cluster.Http.GetFromJsonAsync<JsonElement>($"api/chat/{SessionsOf["before-web-kill"][0]}?limit=500"),
            page => page.GetProperty("messages").EnumerateArray().Count(m => m.TryGetProperty("reply_type", out var t) && t.GetString() == "mission_update") >= 3,
            TimeSpan.FromSeconds(30), "the conversation's outcomes in the mirror");
        Assert.Equal(Enumerable.Range(1, conversation.GetProperty("messages").GetArrayLength()),
            conversation.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt32()));
    }

    [Fact]
    public async Task A_silo_stopped_past_its_membership_timeout_and_resumed_writes_no_second_end()
    {
        const int missions = 120;
        await using var cluster = new LocalCluster(servers, await servers.Postgres.CreateDatabaseAsync());
        cluster.Extra["Logging__LogLevel__Missions.Queue.ExecutionQueueGrain"] = "Information"; // says which silo holds the queue
        for (var i = 0; i < 3; i++)
        {
            cluster.StartSilo(delayMs: 3_000);
        }
        await cluster.StartWebAsync(delayMs: 3_000);
        var answered = await SubmitAsync(cluster.Http, missions, "stop");
        await Eventually.WaitAsync(() => cluster.CountAsync("completed"), n => n >= 10, TimeSpan.FromSeconds(60), "some missions to complete");

        // The silo holding the execution queue (one partition, the default): nothing starts until the others move on.
        var frozen = cluster.Silos.FirstOrDefault(s => s.Output.Contains("Execution queue activated")) ?? cluster.Silos[2];
        Signal("STOP", frozen.Id);
        var stopped = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            // Declared dead by the others (its runs go to them as attempt 2, the queue comes back on one of them) while
            // it cannot say anything.
            await Eventually.WaitAsync(() => cluster.Silos.Where(s => s != frozen).Any(s => s.Output.Contains("left the cluster")),
                TimeSpan.FromSeconds(90), $"the others to declare the stopped silo dead\n{cluster.Outputs}");
            var declared = stopped.Elapsed;
            output.WriteLine($"declared dead {declared.TotalSeconds:F1} s after it was stopped");
            // Direct probes, three missed, and no vote while the silo was heard from within three probe timeouts: about
            // 10 s; Orleans' defaults took 25 s and more here.
            Assert.True(declared < TimeSpan.FromSeconds(20), $"declared dead after {declared.TotalSeconds:F1} s\n{cluster.Outputs}");
        }
        finally
        {
            Signal("CONT", frozen.Id);
        }
        await Eventually.WaitAsync(() => cluster.CountAsync("completed"), n => n >= missions, TimeSpan.FromSeconds(180),
            $"all {missions} missions to complete\n{cluster.Outputs}");
        output.WriteLine($"all {missions} completed {stopped.Elapsed.TotalSeconds:F1} s after the freeze began");
        // Resumed, it learns it was declared dead and stops; whatever it still tried to write, it has by then.
        await frozen.WaitForExitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"the woken silo stopped {stopped.Elapsed.TotalSeconds:F1} s after the freeze began");
        var events = await StoreEventsAsync(cluster.Store);
        AssertEachEndedOncePerAttempt(events, answered.Values);
        var rerun = events.OfType<MissionStatusUpdated>().Count(u => u.Reason == MissionReasons.Interrupted);
        output.WriteLine($"{rerun} runs of the stopped silo ran again elsewhere");
    }

    [Theory]
    [InlineData(1)] // a silo that does not hold the queue is frozen
    [InlineData(3)] // the queue in partitions, one a silo: the silo holding the first is frozen
    public async Task A_frozen_silo_holds_up_only_what_lives_on_it(int queuePartitions)
    {
        // Before, the silos' grain directory was split among them: while one was frozen (and not yet declared dead), a
        // third of new missions could not be placed anywhere, each conversation asking for one waited 30 s, and within a
        // second or two every conversation did — the cluster completed nothing for 11–29 s of a 30 s freeze.
        await using var cluster = new LocalCluster(servers, await servers.Postgres.CreateDatabaseAsync());
        cluster.Extra["Logging__LogLevel__Missions.Queue.ExecutionQueueGrain"] = "Information"; // says which silo holds the queue
        cluster.Extra["Missions__Execution__QueuePartitions"] = queuePartitions.ToString();
        for (var i = 0; i < 3; i++)
        {
            cluster.StartSilo(delayMs: 200);
        }
        await cluster.StartWebAsync(delayMs: 200);
        var sessions = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => Conversations.NewAsync(cluster.Http)));
        using var warm = await cluster.Http.PostAsJsonAsync("chat/integrated", new { session_id = sessions[0], message = "fetch https://example.org/warm" });
        warm.EnsureSuccessStatusCode();
        // Where each partition is now: its last activation on a silo, unless it moved away from there since.
        bool Holds(AppProcess silo, int partition) =>
            silo.Output.LastIndexOf($"activated on this silo (partition {partition} of {queuePartitions})", StringComparison.Ordinal)
            > silo.Output.LastIndexOf($"(partition {partition} of {queuePartitions}) moves", StringComparison.Ordinal);
        await Eventually.WaitAsync(() => Task.FromResult(cluster.Silos.Count(s => Enumerable.Range(0, queuePartitions).Count(p => Holds(s, p)) == 1)),
            n => n == queuePartitions, TimeSpan.FromSeconds(60), $"each partition of the queue on a silo of its own\n{cluster.Outputs}");
        var frozen = queuePartitions == 1
            ? cluster.Silos.First(s => !Holds(s, 0))
            : cluster.Silos.First(s => Holds(s, 0));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var answers = new ConcurrentBag<(TimeSpan At, TimeSpan Took)>();
        using var stop = new CancellationTokenSource();
        var sent = 0;
        var load = Task.WhenAll(Enumerable.Range(0, 30).Select(c => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref sent);
                var watch = System.Diagnostics.Stopwatch.StartNew();
                try
                {
                    using var response = await cluster.Http.PostAsJsonAsync("chat/integrated",
                        new { session_id = sessions[c], message = $"fetch https://example.org/frozen-{i}", client_message_id = $"z-{i}" });
                    if (response.IsSuccessStatusCode)
                    {
                        answers.Add((clock.Elapsed, watch.Elapsed));
                    }
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(500);
            }
        })));
        await Eventually.WaitAsync(() => Task.FromResult(answers.Count), n => n >= 30, TimeSpan.FromSeconds(30), $"the load to be answered\n{cluster.Outputs}");
        Signal("STOP", frozen.Id);
        int completedAtStart, completedAtEnd, quickAnswers;
        try
        {
            await Task.Delay(2_000); // what was under way on the frozen silo is stuck from here on
            completedAtStart = await cluster.CountAsync("completed");
            var from = clock.Elapsed;
            await Task.Delay(10_000);
            completedAtEnd = await cluster.CountAsync("completed");
            quickAnswers = answers.Count(a => a.At >= from && a.Took < TimeSpan.FromSeconds(2));
        }
        finally
        {
            Signal("CONT", frozen.Id);
        }
        await stop.CancelAsync();
        await load.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"in 10 s of the freeze: {completedAtEnd - completedAtStart} missions completed, {quickAnswers} answers within 2 s");
        // The conversations that neither live on the frozen silo nor reach the cluster through it (about four in nine)
        // send two messages a second between them each second: well over 40 in 10 s.
        Assert.True(completedAtEnd - completedAtStart >= 40, $"{completedAtEnd - completedAtStart} completed in 10 s of the freeze\n{cluster.Outputs}");
        Assert.True(quickAnswers >= 40, $"{quickAnswers} answers within 2 s in 10 s of the freeze\n{cluster.Outputs}");
    }

    [Fact]
    public async Task A_store_dumped_under_load_restores_into_a_new_cluster_that_has_and_ends_every_acknowledged_mission()
    {
        // As docs/operations.md says: pg_dump while the silos write, pg_restore into a new database, a new cluster on it
        // (silos and a web frontend with an empty data directory: its mirror is rebuilt from the store).
        using var dumps = new TempDirectory();
        var dump = dumps.File("missions.dump");
        var acknowledged = new ConcurrentDictionary<string, string>(); // mission id → its conversation
        Dictionary<string, string> beforeDump;
        string restoredStore;
        await using (var cluster = new LocalCluster(servers, await servers.Postgres.CreateDatabaseAsync()))
        {
            cluster.StartSilo(delayMs: 300);
            cluster.StartSilo(delayMs: 300);
            await cluster.StartWebAsync(delayMs: 300);
            var sessions = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Conversations.NewAsync(cluster.Http)));
            using var stop = new CancellationTokenSource();
            var sent = 0;
            var writing = Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var i = Interlocked.Increment(ref sent);
                    var session = sessions[i % sessions.Length];
                    using var response = await cluster.Http.PostAsJsonAsync("chat/integrated",
                        new { session_id = session, message = $"fetch https://example.org/dump-{i}", client_message_id = $"d-{i}" });
                    if (response.IsSuccessStatusCode)
                    {
                        acknowledged[(await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("mission_id").GetString()!] = session;
                    }
                }
            })));
            await Eventually.WaitAsync(() => acknowledged.Count >= 150, TimeSpan.FromSeconds(60), $"150 acknowledged missions\n{cluster.Outputs}");
            beforeDump = new Dictionary<string, string>(acknowledged);
            await servers.Postgres.DumpAsync(cluster.Store, dump);
            var duringDump = acknowledged.Count - beforeDump.Count;
            stop.Cancel();
            await writing;
            output.WriteLine($"{beforeDump.Count} acknowledged before the dump, {duringDump} while it ran; dump {new FileInfo(dump).Length:N0} bytes");
            restoredStore = await servers.Postgres.RestoreAsync(dump);
        }

        await using var restored = new LocalCluster(servers, restoredStore);
        restored.StartSilo(delayMs: 50);
        await restored.StartWebAsync(delayMs: 50);
        var created = (await StoreEventsAsync(restoredStore)).OfType<MissionCreated>().Select(c => c.MissionId).ToHashSet();
        var missing = beforeDump.Keys.Count(id => !created.Contains(id));
        Assert.True(missing == 0, $"{missing} of {beforeDump.Count} acknowledged missions are not in the restored store");
        // Every mission in the dump ends on the new cluster — those that were running or waiting when it was taken too —
        // and the web frontend's new mirror has them, their conversations readable by the same ids (the key came along).
        await Eventually.WaitAsync(() => restored.CountAsync("completed"), n => n >= created.Count, TimeSpan.FromSeconds(120),
            $"the {created.Count} missions of the dump to complete on the restored cluster\n{restored.Outputs}");
        var (someMission, someSession) = beforeDump.First();
        Assert.Contains(someMission, await restored.Http.GetStringAsync($"api/chat/{someSession}"));
        AssertEachEndedOncePerAttempt(await StoreEventsAsync(restoredStore), created);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)] // partitions move as silos go and come back: each rebuilds from the log, its runs keeping their slots
    public async Task A_rolling_restart_of_every_silo_under_load_never_runs_more_than_the_limit_and_loses_nothing(int queuePartitions)
    {
        const int missions = 240;
        await using var cluster = new LocalCluster(servers, await servers.Postgres.CreateDatabaseAsync());
        cluster.Extra["Missions__Execution__QueuePartitions"] = queuePartitions.ToString();
        for (var i = 0; i < 3; i++)
        {
            cluster.StartSilo(delayMs: 800);
        }
        await cluster.StartWebAsync(delayMs: 800);
        var answered = await SubmitAsync(cluster.Http, missions, "rolling");

        // Each silo in turn stopped as a service manager would (SIGTERM) and a new one started in its place, while
        // the missions run; each restarted silo sees the ones before it as dead in the membership table.
        for (var i = 0; i < 3; i++)
        {
            cluster.Silos[i].Terminate();
            await cluster.Silos[i].WaitForExitAsync(TimeSpan.FromSeconds(90));
            cluster.StartSilo(delayMs: 800);
            await cluster.WaitForSilosAsync();
        }
        await Eventually.WaitAsync(() => cluster.CountAsync("completed"), n => n >= missions, TimeSpan.FromSeconds(180),
            $"all {missions} missions to complete through the restarts\n{cluster.Outputs}");

        var events = await StoreEventsAsync(cluster.Store);
        AssertEachEndedOncePerAttempt(events, answered.Values);
        var most = MostRunningAtOnce(events);
        output.WriteLine($"at most {most} runs at once (limit {MaxConcurrency}); {events.Count} lines");
        Assert.InRange(most, 1, MaxConcurrency);
    }

    [Fact]
    public async Task A_silo_stopped_gracefully_hands_its_queued_work_to_the_others()
    {
        const int missions = 150;
        await using var cluster = new LocalCluster(servers, await servers.Postgres.CreateDatabaseAsync());
        cluster.StartSilo(delayMs: 1_000);
        cluster.StartSilo(delayMs: 1_000);
        await cluster.StartWebAsync(delayMs: 1_000);
        var answered = await SubmitAsync(cluster.Http, missions, "drain");
        await Eventually.WaitAsync(() => cluster.CountAsync("queued"), n => n > 50, TimeSpan.FromSeconds(60), "a long queue");

        // SIGTERM, as a service manager or an orchestrator stops a node: whichever silo holds the queue, the work
        // still queued is dispatched by the one that stays.
        cluster.Silos[0].Terminate();
        await cluster.Silos[0].WaitForExitAsync(TimeSpan.FromSeconds(90));
        await Eventually.WaitAsync(() => cluster.CountAsync("completed"), n => n >= missions, TimeSpan.FromSeconds(180),
            $"all {missions} missions to complete on the remaining silo\n{cluster.Outputs}");
        AssertEachEndedOncePerAttempt(await StoreEventsAsync(cluster.Store), answered.Values);
    }

    [Fact]
    public async Task A_run_cut_off_by_a_silo_kill_reuses_on_another_silo_the_pages_the_first_attempt_fetched()
    {
        await using var site = await TestWebsite.StartAsync();
        await using var cluster = new LocalCluster(servers, await servers.Postgres.CreateDatabaseAsync());
        cluster.Extra["Missions__Execution__Executor"] = "web";
        cluster.Extra["Missions__Execution__AllowPrivateNetworks"] = "true";
        cluster.Extra["Missions__Execution__PolitenessDelayMilliseconds"] = "0";
        var first = cluster.StartSilo(delayMs: 0);
        await cluster.StartWebAsync(delayMs: 0);
        using var sent = await cluster.Http.PostAsJsonAsync("chat/integrated",
            new { session_id = await Conversations.NewAsync(cluster.Http), message = $"fetch {site.Url("/then-slow")}, up to 3 pages" });
        var reply = await sent.Content.ReadFromJsonAsync<JsonElement>();
        var missionId = reply.GetProperty("mission_id").GetString()!;
        await Eventually.WaitAsync(() => site.Requests.Contains("/slow"), TimeSpan.FromSeconds(30),
            $"the first attempt to read the first page and start on the slow one ({string.Join(", ", site.Requests)}; {reply}; " +
            $"{cluster.Outputs})");

        // A second silo joins; the first dies while its run waits on the slow page.
        cluster.StartSilo(delayMs: 0);
        await cluster.WaitForSilosAsync();
        await first.KillAsync();
        var view = await Eventually.WaitAsync(() => cluster.Http.GetFromJsonAsync<JsonElement>($"api/whiteboard/{missionId}"),
            v => v.GetProperty("status").GetString() is "completed" or "failed" or "timed_out",
            TimeSpan.FromSeconds(120), $"the mission to end on the second silo\n{cluster.Outputs}");

        var events = (await StoreEventsAsync(cluster.Store)).Where(e => e.MissionId == missionId).ToList();
        Assert.Contains(events, e => e is MissionStatusUpdated { Reason: MissionReasons.Interrupted, Attempt: 2 });
        Assert.Single(events, e => e is MissionStatusUpdated u && u.Status.IsTerminal());
        // The page the first attempt read came from the store's ledger the second time: the site saw it once.
        Assert.Equal(1, site.Requests.Count(p => p == "/then-slow"));
        Assert.True(site.Requests.Count(p => p == "/slow") >= 2, string.Join(", ", site.Requests));
        output.WriteLine($"Ended {view.GetProperty("status").GetString()} as attempt {view.GetProperty("attempt").GetInt32()}; requests: {string.Join(", ", site.Requests)}");
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", pid.ToString()]);
        kill.WaitForExit();
    }
}
