using System.Diagnostics;
using System.Text.Json;
using Missions;
using Missions.Benchmarks;
using Missions.Log;

// The whiteboard, start-up and memory at scale, against the real web frontend process (embedded default):
// for logs of E events (finished missions of four lines each: created, queued, active, completed with a result),
//  - start-up: from process start to /readyz answering 200, reading the whole log (no checkpoint: a first start,
//    or one after a crash before any checkpoint), from the index's checkpoint (after a graceful stop), and from
//    the checkpoint with 48,000 lines after it (the worst start after a crash: one is taken per 50,000 lines);
//  - the resident set (RSS) when ready, and at its peak;
//  - RSS per finished mission: (RSS with the log − RSS with an empty log) ÷ missions;
//  - GET /api/whiteboard/{id} (random missions) and GET /api/whiteboard?limit=50 (newest, and paged with before=):
//    p50/p99 over HTTP from one keep-alive client.
// Usage: dotnet run -c Release --project bench/Missions.ScaleBench -- [events ...] [--runs R] [--reads N] [--keep]
//        dotnet run -c Release --project bench/Missions.ScaleBench -- MISSIONS --search [--queries N] (the whiteboard's search, see SearchBench)
// (--keep leaves the generated logs under $TMPDIR/missions-scalebench for a closer look.)
var sizes = args.TakeWhile(a => !a.StartsWith("--")).Select(int.Parse).DefaultIfEmpty(10_000).ToList();
var runs = Arg("--runs", 3);
var reads = Arg("--reads", 4000);
var work = Path.Combine(Path.GetTempPath(), "missions-scalebench");
// Lines after the checkpoint in the crash case: just under the 50,000 that make the next checkpoint.
const int TailLines = 48_000;
if (args.Contains("--search"))
{
    // The whiteboard's search alone, in this process: the first size is a count of missions.
    await SearchBench.RunAsync(work, sizes[0], Arg("--queries", 200));
    return;
}
if (args.Contains("--retention"))
{
    // Start-up and memory follow the live set (issue 29): WRITTEN missions of which LIVE ended yesterday and the rest
    // a year ago, with Missions:Retention:EndedMissionDays=30 — the first start moves the old ones to the archive, the
    // next starts read only the live ones — against a data directory of the LIVE missions alone.
    var written = sizes[0];
    var liveCount = sizes.Count > 1 ? sizes[1] : written / 10;
    var liveOnly = Path.Combine(work, "live-only");
    var liveIds = Generate(liveOnly, liveCount * 4, start: DateTime.UtcNow.AddDays(-1));
    var mixed = Path.Combine(work, "written");
    Generate(mixed, (written - liveCount) * 4, start: DateTime.UtcNow.AddDays(-365));
    var mixedIds = Generate(mixed, liveCount * 4, first: written - liveCount, start: DateTime.UtcNow.AddDays(-1));
    var keep = new Dictionary<string, string> { ["Missions__Retention__EndedMissionDays"] = "30" };
    Console.WriteLine($"| data directory | log MB before | start | ready s | RSS MB | peak RSS MB | log MB after | archive MB |");
    Console.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|");
    void Row(string name, string data, string start, Result r, double before) =>
        Console.WriteLine($"| {name} | {before:N0} | {start} | {r.ReadySeconds:N2} | {r.RssMb:N0} | {r.PeakRssMb:N0} | " +
            $"{new FileInfo(Path.Combine(data, LogFiles.Missions)).Length / 1e6:N0} | " +
            $"{(Directory.Exists(Path.Combine(data, MissionArchive.DirectoryName)) ? Directory.GetFiles(Path.Combine(data, MissionArchive.DirectoryName)).Sum(f => new FileInfo(f).Length) / 1e6 : 0):N0} |");
    var mb = (string data) => new FileInfo(Path.Combine(data, LogFiles.Missions)).Length / 1e6;
    for (var run = 1; run <= runs; run++)
    {
        var before = mb(liveOnly);
        Row($"{liveCount:N0} live only", liveOnly, run == 1 ? "first (whole log)" : "again (checkpoint)", await MeasureAsync(liveOnly, liveIds, 0, graceful: true), before);
    }
    var mixedBefore = mb(mixed);
    Row($"{written:N0} written, {liveCount:N0} live", mixed, "first: compacts", await MeasureAsync(mixed, mixedIds, 0, graceful: true, keep), mixedBefore);
    for (var run = 2; run <= runs + 1; run++)
    {
        Row($"{written:N0} written, {liveCount:N0} live", mixed, "again (checkpoint)", await MeasureAsync(mixed, mixedIds, 0, graceful: true, keep), mb(mixed));
    }
    if (!args.Contains("--keep")) { try { Directory.Delete(work, true); } catch (IOException) { } }
    return;
}
if (args.Contains("--scan-only"))
{
    // Indexing alone, in this process, three times (the first one cold): what opening the log costs.
    foreach (var events in sizes)
    {
        var data = Path.Combine(work, events.ToString());
        Generate(data, events);
        for (var i = 1; i <= 3; i++)
        {
            var clock = Stopwatch.StartNew();
            using var reader = new MissionLogReader(Path.Combine(data, LogFiles.Missions), new MissionIndex());
            var scan = reader.IndexFrom(0);
            Console.WriteLine($"scan {events:N0} events, pass {i}: {clock.ElapsedMilliseconds} ms ({scan.Lines:N0} lines, {reader.Index.Count:N0} missions)");
        }
        using (var r = new MissionLogReader(Path.Combine(data, LogFiles.Missions), new MissionIndex()))
        {
            r.IndexFrom(0);
            for (var i = 0; i < 200; i++) r.ReadNewest(null, 50);
            var c1 = Stopwatch.StartNew();
            for (var i = 0; i < 1000; i++) r.ReadNewest(null, 50);
            Console.WriteLine($"ReadNewest(50) in-process: {c1.Elapsed.TotalMilliseconds / 1000:N3} ms each");
            var some = r.Index.Newest(null, 1).Single().MissionId;
            c1.Restart();
            for (var i = 0; i < 1000; i++) r.ReadView(some);
            Console.WriteLine($"ReadView in-process: {c1.Elapsed.TotalMilliseconds / 1000:N3} ms each");
            var page = r.ReadNewest(null, 50);
            c1.Restart();
            for (var i = 0; i < 1000; i++) System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(page, MissionsJson.Options);
            Console.WriteLine($"serialize 50 summaries: {c1.Elapsed.TotalMilliseconds / 1000:N3} ms each");
        }
        using var file = File.OpenHandle(Path.Combine(data, LogFiles.Missions));
        var c2 = Stopwatch.StartNew();
        JsonlScanner.Scan(file, 0, (_, _) => true);
        Console.WriteLine($"lines only: {c2.ElapsedMilliseconds} ms");
        c2.Restart();
        JsonlScanner.Scan(file, 0, (line, where) => { Span<char> id = stackalloc char[64]; return MissionLineHeader.TryRead(line, id, out _, out _); });
        Console.WriteLine($"facts only: {c2.ElapsedMilliseconds} ms");
        c2.Restart();
        JsonlScanner.Scan(file, 0, (line, where) => { var r = new System.Text.Json.Utf8JsonReader(line); while (r.Read()) { } return true; });
        Console.WriteLine($"json tokens only: {c2.ElapsedMilliseconds} ms");
    }
    return;
}

Console.WriteLine("| events | missions | log MB | run | checkpoint | ready s | RSS MB | peak RSS MB | bytes RSS/mission | view p50 ms | view p99 ms | list p50 ms | list p99 ms | paged p50 ms | paged p99 ms |");
Console.WriteLine("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
var baseline = new List<double>();
var summary = new List<string>();
foreach (var events in sizes.Prepend(0))
{
    var data = Path.Combine(work, events.ToString());
    var ids = Generate(data, events);
    var logMb = new FileInfo(Path.Combine(data, LogFiles.Missions)).Length / 1e6;
    var full = new List<Result>();
    var resumed = new List<Result>();
    var crashed = new List<Result>();
    foreach (var fromCheckpoint in new[] { false, true })
    {
        for (var run = 1; run <= runs; run++)
        {
            if (!fromCheckpoint)
            {
                File.Delete(Path.Combine(data, LogFiles.MissionsIndex));
            }
            // Stopped gracefully (it writes its checkpoint) after a full read; killed after a resumed one.
            var r = await MeasureAsync(data, ids, events == 0 ? 0 : reads, graceful: !fromCheckpoint);
            (fromCheckpoint ? resumed : full).Add(r);
            if (events == 0 && !fromCheckpoint)
            {
                baseline.Add(r.RssMb);
            }
            var perMission = ids.Count == 0 ? double.NaN : (r.RssMb - Median(baseline)) * 1024 * 1024 / ids.Count;
            Console.WriteLine($"| {events:N0} | {ids.Count:N0} | {logMb:N0} | {run} | {(fromCheckpoint ? "yes" : "no")} | {r.ReadySeconds:N2} | {r.RssMb:N0} | {r.PeakRssMb:N0} | {perMission:N0} | " +
                $"{P(r.View, 0.5)} | {P(r.View, 0.99)} | {P(r.List, 0.5)} | {P(r.List, 0.99)} | {P(r.Paged, 0.5)} | {P(r.Paged, 0.99)} |");
        }
    }
    if (events > 0)
    {
        // The worst start after a crash: the last periodic checkpoint (one per 50,000 lines) and just under
        // 50,000 lines written after it. The process is killed each time, so the checkpoint stays where it was.
        ids.AddRange(Generate(data, TailLines, first: ids.Count));
        for (var run = 1; run <= runs; run++)
        {
            var r = await MeasureAsync(data, ids, 0, graceful: false);
            crashed.Add(r);
            Console.WriteLine($"| {events:N0} + {TailLines:N0} | {ids.Count:N0} | | {run} | yes, {TailLines:N0} lines behind | {r.ReadySeconds:N2} | {r.RssMb:N0} | {r.PeakRssMb:N0} | | | | | | | |");
        }
    }
    var all = full.Concat(resumed).ToList();
    var m = (Func<List<Result>, Func<Result, double>, double>)((set, f) => Median(set.Select(f).ToList()));
    var bytes = ids.Count == 0 ? "" : $"{(m(full, r => r.RssMb) - Median(baseline)) * 1024 * 1024 / ids.Count:N0}";
    var afterCrash = crashed.Count == 0 ? "" : $"{m(crashed, r => r.ReadySeconds):N2}";
    summary.Add($"| {events:N0} | {m(full, r => r.ReadySeconds):N2} | {m(resumed, r => r.ReadySeconds):N2} | {afterCrash} | {m(full, r => r.RssMb):N0} | {m(full, r => r.PeakRssMb):N0} | {bytes} | " +
        $"{m(all, r => Pct(r.View, 0.5)):N2} | {m(all, r => Pct(r.View, 0.99)):N2} | {m(all, r => Pct(r.List, 0.5)):N2} | {m(all, r => Pct(r.List, 0.99)):N2} | {m(all, r => Pct(r.Paged, 0.5)):N2} | {m(all, r => Pct(r.Paged, 0.99)):N2} |");
}
Console.WriteLine();
Console.WriteLine($"Medians of {runs} runs each way (RSS after a full read; reads over all {2 * runs} runs):");
Console.WriteLine();
Console.WriteLine($"| events | ready s, whole log | ready s, from checkpoint | ready s, checkpoint + {TailLines:N0} lines (crash) | RSS MB | peak RSS MB | bytes RSS/mission | view p50 ms | view p99 ms | list p50 ms | list p99 ms | paged p50 ms | paged p99 ms |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
summary.ForEach(Console.WriteLine);
if (!args.Contains("--keep")) { try { Directory.Delete(work, true); } catch (IOException) { } }

int Arg(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : fallback;
}

static double Median(List<double> values) => values.Count == 0 ? 0 : values.Order().ElementAt(values.Count / 2);

static double Pct(List<double> values, double p)
{
    if (values.Count == 0) return double.NaN;
    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

static string P(List<double> values, double p) => values.Count == 0 ? "" : Pct(values, p).ToString("N2");

// A log of finished missions, written as the product writes it (same serializer), without fsync: it is input.
// With a non-zero first mission number, the missions are added to the end of the log that is there.
static List<string> Generate(string data, int events, int first = 0, DateTime? start = null)
{
    Directory.CreateDirectory(data);
    var path = Path.Combine(data, LogFiles.Missions);
    var ids = new List<string>(events / 4);
    if (first == 0)
    {
        foreach (var f in Directory.GetFiles(data)) File.Delete(f);
    }
    using var file = new FileStream(path, first == 0 ? FileMode.Create : FileMode.Append, FileAccess.Write, FileShare.None, 1 << 20);
    // Their learning signals too, as the product derives them: a data directory's start reads the end of that file.
    using var signals = new FileStream(Path.Combine(data, LogFiles.LearningSignals), first == 0 ? FileMode.Create : FileMode.Append, FileAccess.Write, FileShare.None, 1 << 20);
    var from = start ?? new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
    for (var i = first; i < first + events / 4; i++)
    {
        var id = Guid.NewGuid().ToString("N");
        ids.Add(id);
        var at = from.AddMilliseconds((start is null ? i : i - first) * 10);
        var url = $"https://learn.microsoft.com/dotnet/orleans/page-{i % 5000}";
        MissionEvent[] lines =
        [
            new MissionCreated
            {
                MissionId = id, Seq = 1, Timestamp = at, SessionId = $"s-{i % 1000}", TraceId = "0af7651916cd43dd8448eb211c80319c",
                Objective = new Objective { Type = "research", Description = $"research Orleans reminders on learn.microsoft.com, up to 5 pages ({i})" },
                Constraints = new MissionConstraints { AllowedDomains = ["learn.microsoft.com"], MaxPages = 5, MaxDurationSeconds = 60 },
                StartUrls = [], SourceMessage = $"research Orleans reminders on learn.microsoft.com, up to 5 pages ({i})",
            },
            new MissionStatusUpdated { MissionId = id, Seq = 2, Timestamp = at, Status = MissionStatus.Queued, Attempt = 1, Reason = "queued" },
            new MissionStatusUpdated { MissionId = id, Seq = 3, Timestamp = at.AddMilliseconds(2), Status = MissionStatus.Active, Attempt = 1, Reason = "execution_started" },
            new MissionStatusUpdated
            {
                MissionId = id, Seq = 4, Timestamp = at.AddMilliseconds(900), Status = MissionStatus.Completed, Attempt = 1, Reason = "execution_finished",
                CompletedAt = at.AddMilliseconds(900),
                ExecutionResult = new ExecutionResult
                {
                    Success = true, PagesFetched = 2, ToolsUsed = ["html_reader", "http_fetch"],
                    FinalAnswer = "From 2 pages, the passages that best match the question:\n\nReminders are persistent triggers stored in the reminder table ... — Reminders (" + url + ")",
                    Sources = [new PageSource { Url = url, Title = "Reminders and timers" }],
                },
            },
        ];
        foreach (var e in lines)
        {
            JsonSerializer.Serialize(file, e, MissionsJson.Context.MissionEvent);
            file.WriteByte((byte)'\n');
        }
        Missions.Signals.LearningSignal[] derived =
        [
            new() { SignalType = "mission_proposed", MissionId = id, Timestamp = at, SessionId = $"s-{i % 1000}", ObjectiveType = "research" },
            new()
            {
                SignalType = "mission_executed", MissionId = id, Timestamp = at.AddMilliseconds(900), SessionId = $"s-{i % 1000}", ObjectiveType = "research",
                Status = MissionStatus.Completed, Success = true, Attempt = 1, DurationMs = 898, ToolsUsed = ["html_reader", "http_fetch"],
            },
        ];
        foreach (var signal in derived)
        {
            JsonSerializer.Serialize(signals, signal, MissionsJson.Context.LearningSignal);
            signals.WriteByte((byte)'\n');
        }
    }
    return ids;
}

static async Task<Result> MeasureAsync(string data, List<string> ids, int reads, bool graceful, IReadOnlyDictionary<string, string>? settings = null)
{
    var clock = Stopwatch.StartNew();
    var (started, port) = WebFrontendProcess.Start(data, settings);
    using var process = started;
    using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
    try
    {
        while (true)
        {
            try
            {
                using var ready = await http.GetAsync("readyz");
                if (ready.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) { }
            if (clock.Elapsed > TimeSpan.FromMinutes(3)) throw new TimeoutException("not ready");
            await Task.Delay(10);
        }
        var readySeconds = clock.Elapsed.TotalSeconds;
        var (rss, peak) = Memory(process.Id);
        var view = new List<double>();
        var list = new List<double>();
        var paged = new List<double>();
        if (reads > 0)
        {
            var random = new Random(42);
            // Warm-up: a fresh process re-compiles its hot code in tiers for a while; measure the steady state.
            for (var i = 0; i < 4000; i++) await GetAsync(http, $"api/whiteboard/{ids[random.Next(ids.Count)]}");
            for (var i = 0; i < 1000; i++) await GetAsync(http, "api/whiteboard?limit=50");
            for (var i = 0; i < 1000; i++) await GetAsync(http, $"api/whiteboard?limit=50&status=completed&before={ids[random.Next(ids.Count)]}");
            for (var i = 0; i < reads; i++) view.Add(await GetAsync(http, $"api/whiteboard/{ids[random.Next(ids.Count)]}"));
            for (var i = 0; i < reads / 4; i++) list.Add(await GetAsync(http, "api/whiteboard?limit=50"));
            for (var i = 0; i < reads / 4; i++) paged.Add(await GetAsync(http, $"api/whiteboard?limit=50&status=completed&before={ids[random.Next(ids.Count)]}"));
        }
        return new Result(readySeconds, rss, peak, view, list, paged);
    }
    finally
    {
        if (graceful)
        {
            using var term = Process.Start("kill", ["-TERM", process.Id.ToString()]);
            await term.WaitForExitAsync();
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(patience.Token);
        }
        else
        {
            process.Kill(true);
            await process.WaitForExitAsync();
        }
    }
}

static async Task<double> GetAsync(HttpClient http, string path)
{
    var start = Stopwatch.GetTimestamp();
    using var response = await http.GetAsync(path);
    await response.Content.ReadAsByteArrayAsync();
    response.EnsureSuccessStatusCode();
    return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
}

static (double RssMb, double PeakMb) Memory(int pid)
{
    double rss = 0, peak = 0;
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:")) rss = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        if (line.StartsWith("VmHWM:")) peak = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }
    return (rss, peak);
}

sealed record Result(double ReadySeconds, double RssMb, double PeakRssMb, List<double> View, List<double> List, List<double> Paged);
