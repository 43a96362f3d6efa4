using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Missions;
using Missions.Log;

/// <summary>
/// The whiteboard's search at scale, in this process: a log of N ended missions whose objectives (8 words) and
/// answers (60 words) are drawn from a 30,000-word vocabulary with Zipf's law (as words are used), 1,000 owners;
/// then how long the search index takes to catch up from the log, what it holds in memory, and each kind of query
/// (a page of 50, as the whiteboard asks) against a scan of the log for the same word — what it replaces.
/// </summary>
static class SearchBench
{
    private const int Vocabulary = 30_000;

    public static async Task RunAsync(string work, int missions, int queries)
    {
        var data = Path.Combine(work, $"search-{missions}");
        var path = Path.Combine(data, LogFiles.Missions);
        var clock = Stopwatch.StartNew();
        var ids = File.Exists(path) && File.Exists(path + ".ids") ? File.ReadAllLines(path + ".ids").ToList() : Generate(data, missions);
        Console.WriteLine($"log: {missions:N0} missions, {new FileInfo(path).Length / 1e6:N0} MB ({clock.Elapsed.TotalSeconds:N0} s to have it)");

        var before = Heap();
        clock.Restart();
        using var reader = new MissionLogReader(path, new MissionIndex());
        reader.IndexFrom(0);
        var indexMs = clock.ElapsedMilliseconds;
        var withIndex = Heap();
        var search = new MissionSearch(reader, NullLogger<MissionSearch>.Instance);
        clock.Restart();
        await search.StartAsync(CancellationToken.None);
        while (!search.Progress.Complete) await Task.Delay(20);
        var catchUpMs = clock.ElapsedMilliseconds;
        var withSearch = Heap();
        var (words, documents) = search.Size;
        Console.WriteLine($"mission index: {indexMs:N0} ms, {(withIndex - before) / 1e6:N0} MB; search index: caught up in {catchUpMs:N0} ms " +
            $"({missions * 1000.0 / catchUpMs:N0} missions/s), {(withSearch - withIndex) / 1e6:N0} MB ({(withSearch - withIndex) / (double)missions:N0} B a mission), {words:N0} words, {documents:N0} documents");

        var random = new Random(7);
        var day = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        (string Name, Func<int, (string? Q, DateTime? From, DateTime? To, string? Owner)> Query)[] kinds =
        [
            ("common word", _ => (Word(5), null, null, null)),
            ("middling word", _ => (Word(300 + random.Next(50)), null, null, null)),
            ("rare word", _ => (Word(20_000 + random.Next(9_000)), null, null, null)),
            ("two words", _ => (Word(40 + random.Next(20)) + " " + Word(200 + random.Next(50)), null, null, null)),
            ("a word's start (3 letters)", _ => (Word(random.Next(2_000))[..3], null, null, null)),
            ("id start (8 characters)", _ => (ids[random.Next(ids.Count)][..8], null, null, null)),
            ("one week", _ => { var from = day.AddDays(random.Next(300)); return (null, from, from.AddDays(7), null); }),
            ("rare word + one month", _ => { var from = day.AddDays(random.Next(300)); return (Word(20_000 + random.Next(9_000)), from, from.AddDays(30), null); }),
            ("middling word + one owner", _ => (Word(300 + random.Next(50)), null, null, $"p-{random.Next(1_000)}")),
            ("rare word + completed", _ => (Word(20_000 + random.Next(9_000)), null, null, null)),
        ];
        Console.WriteLine();
        Console.WriteLine($"| query ({missions:N0} missions, page of 50) | matching missions (first query) | p50 ms | p99 ms |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, query) in kinds)
        {
            var times = new List<double>();
            var first = query(0);
            var matching = reader.Index.Newest(name.EndsWith("completed") ? MissionStatus.Completed : null, int.MaxValue, owner: first.Owner, match: search.Find(first.Q, first.From, first.To)).Count;
            for (var i = 0; i < queries + 20; i++)
            {
                var (q, from, to, owner) = query(i);
                var start = Stopwatch.GetTimestamp();
                var page = reader.Index.Newest(name.EndsWith("completed") ? MissionStatus.Completed : null, 50, owner: owner, match: search.Find(q, from, to));
                var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (i >= 20)
                {
                    times.Add(ms);
                }
            }
            times.Sort();
            Console.WriteLine($"| {name} | {matching:N0} | {times[times.Count / 2]:N2} | {times[(int)(times.Count * 0.99)]:N2} |");
        }

        // What it replaces: reading the log for a word.
        clock.Restart();
        var needle = Encoding.UTF8.GetBytes(Word(20_500));
        var hits = 0;
        using (var file = File.OpenHandle(path))
        {
            JsonlScanner.Scan(file, 0, (line, _) => { if (line.IndexOf(needle) >= 0) hits++; return true; });
        }
        Console.WriteLine($"| (a scan of the log for one rare word, bytes only) | {hits} lines | {clock.ElapsedMilliseconds:N0} | |");
        await search.StopAsync(CancellationToken.None);
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(true);
    }

    /// <summary>The word of a rank: made of syllables, so every rank has its own word.</summary>
    private static string Word(int rank)
    {
        string[] syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "si", "pe", "da", "go", "hu", "ji", "be", "fa", "zo"];
        var s = new StringBuilder();
        var n = rank + 16;
        while (n > 0)
        {
            s.Append(syllables[n % 16]);
            n /= 16;
        }
        return s.ToString();
    }

    private static List<string> Generate(string data, int missions)
    {
        Directory.CreateDirectory(data);
        var path = Path.Combine(data, LogFiles.Missions);
        var ids = new List<string>(missions);
        var random = new Random(42);
        // Zipf's law over the vocabulary: rank r drawn with weight 1/(r+1).
        var cumulative = new double[Vocabulary];
        var total = 0.0;
        for (var r = 0; r < Vocabulary; r++) cumulative[r] = total += 1.0 / (r + 1);
        int Draw() { var x = random.NextDouble() * total; var i = Array.BinarySearch(cumulative, x); return i >= 0 ? i : ~i; }
        string Words(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => Word(Draw())));
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var step = TimeSpan.FromDays(330).Ticks / missions;
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        for (var i = 0; i < missions; i++)
        {
            var id = Guid.NewGuid().ToString("N");
            ids.Add(id);
            var at = start.AddTicks(step * i);
            MissionEvent[] lines =
            [
                new MissionCreated
                {
                    MissionId = id, Seq = 1, Timestamp = at, SessionId = $"s-{i % 1000}", Owner = $"p-{i % 1000}",
                    Objective = new Objective { Type = "research", Description = "research " + Words(8) },
                    Constraints = new MissionConstraints { MaxPages = 5 }, SourceMessage = "research",
                },
                new MissionStatusUpdated
                {
                    MissionId = id, Seq = 2, Timestamp = at.AddSeconds(20), Status = MissionStatus.Completed, Attempt = 1, Reason = "execution_finished",
                    ExecutionResult = new ExecutionResult { Success = true, FinalAnswer = Words(60) + " [1]." },
                },
            ];
            foreach (var e in lines)
            {
                JsonSerializer.Serialize(file, e, MissionsJson.Context.MissionEvent);
                file.WriteByte((byte)'\n');
            }
        }
        File.WriteAllLines(path + ".ids", ids);
        return ids;
    }
}
