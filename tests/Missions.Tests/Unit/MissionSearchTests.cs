using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Missions.Tests.Support;

namespace Missions.Tests.Unit;

/// <summary>The whiteboard's search: words of objectives and answers, the start of an id, dates — read from the log at start, then live.</summary>
public sealed class MissionSearchTests : IDisposable
{
    private static readonly DateTime Day = new(2026, 11, 2, 9, 0, 0, DateTimeKind.Utc);

    private readonly TempDirectory _data = new();

    private IOptions<MissionsOptions> Options => Microsoft.Extensions.Options.Options.Create(new MissionsOptions { DataDirectory = _data.Path });

    public void Dispose() => _data.Dispose();

    private static MissionCreated Created(string id, string objective, DateTime at, string owner = "") => new()
    {
        MissionId = id, Seq = 1, Timestamp = at, SessionId = "s", Owner = owner,
        Objective = new Objective { Type = "research", Description = objective }, Constraints = new MissionConstraints(), SourceMessage = objective,
    };

    private static MissionStatusUpdated Ended(string id, int seq, MissionStatus status, string answer = "", string? error = null) => new()
    {
        MissionId = id, Seq = seq, Timestamp = Day, Status = status, Reason = "execution_finished", Attempt = 1, Error = error,
        ExecutionResult = answer.Length > 0 ? new ExecutionResult { Success = true, FinalAnswer = answer } : null,
    };

    private static async Task AppendAsync(MissionLog log, params MissionEvent[] events)
    {
        var version = log.Index.VersionOf(events[0].MissionId);
        Assert.True(await log.AppendAsync(events[0].MissionId, events, version));
    }

    private static async Task<MissionSearch> StartedAsync(MissionLog log)
    {
        var search = new MissionSearch(log.Reader, NullLogger<MissionSearch>.Instance);
        await search.StartAsync(CancellationToken.None);
        await CaughtUpAsync(search);
        return search;
    }

    private static Task CaughtUpAsync(MissionSearch search) => Until(() => search.Progress.Complete, "the search index to catch up");

    private static Task Until(Func<bool> condition, string what) => Eventually.WaitAsync(condition, TimeSpan.FromSeconds(20), what);

    private static List<string> Find(MissionLog log, MissionSearch search, string? q, DateTime? from = null, DateTime? to = null, MissionStatus? status = null, string? owner = null) =>
        log.Index.Newest(status, 100, owner: owner, match: search.Find(q, from, to)).Select(m => m.MissionId).ToList();

    [Fact]
    public async Task Words_of_objectives_and_answers_are_found_whether_written_before_the_start_or_after()
    {
        await using (var before = new MissionLog(Options, NullLogger<MissionLog>.Instance))
        {
            await AppendAsync(before, Created("aaaa1111", "research Orleans reminders on learn.microsoft.com", Day));
            await AppendAsync(before, Ended("aaaa1111", 2, MissionStatus.Completed, "Reminders are persistent triggers kept in the reminder table [1]."));
            await AppendAsync(before, Created("bbbb2222", "research Orleans timers", Day.AddDays(1)));
            await AppendAsync(before, Ended("bbbb2222", 2, MissionStatus.Failed, error: "The page budget ran out before any page answered."));
        }
        await using var log = new MissionLog(Options, NullLogger<MissionLog>.Instance);
        var search = await StartedAsync(log);
        try
        {
            Assert.Equal(["aaaa1111"], Find(log, search, "reminders"));
            Assert.Equal(["aaaa1111"], Find(log, search, "persistent table"));   // the answer's words
            Assert.Equal(["bbbb2222"], Find(log, search, "budget"));             // a failure's error
            Assert.Equal(["bbbb2222", "aaaa1111"], Find(log, search, "ORLEANS")); // newest first, any case
            Assert.Equal(["aaaa1111"], Find(log, search, "remind"));             // a word's start
            Assert.Empty(Find(log, search, "orleans gardening"));                 // every word must match
            Assert.Equal(["aaaa1111"], Find(log, search, "what is the reminder table")); // small words do not count when others do

            // Written after the start: made, then ended (the answer arrives on a mission already indexed).
            await AppendAsync(log, Created("cccc3333", "research grain placement", Day.AddDays(2)));
            await AppendAsync(log, new MissionStatusUpdated { MissionId = "cccc3333", Seq = 2, Timestamp = Day, Status = MissionStatus.Queued, Reason = "queued" });
            await CaughtUpAsync(search);
            await Until(() => Find(log, search, "placement").SequenceEqual(["cccc3333"]), "the objective made after the start");
            Assert.Empty(Find(log, search, "silo"));
            await AppendAsync(log, Ended("cccc3333", 3, MissionStatus.Completed, "Placement picks a silo for each activation [1]."));
            await Until(() => Find(log, search, "silo activation").SequenceEqual(["cccc3333"]), "the answer that came later");
        }
        finally
        {
            await search.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task An_id_is_found_by_its_start_and_dates_and_statuses_and_owners_narrow_the_search()
    {
        await using var log = new MissionLog(Options, NullLogger<MissionLog>.Instance);
        await AppendAsync(log, Created("3f9a01c2aa", "research one", Day, owner: "p-ann"));
        await AppendAsync(log, Created("3f9b0000bb", "research two", Day.AddDays(1), owner: "p-bob"));
        await AppendAsync(log, new ScheduleCreated
        {
            MissionId = "sch-1", Seq = 1, Timestamp = Day, SessionId = "s", Cadence = "every day", EverySeconds = 86_400, Owner = "p-ann",
            Objective = new Objective { Type = "research", Description = "research three" }, Constraints = new MissionConstraints(), SourceMessage = "research three",
        });
        await AppendAsync(log, Created("77770000cc", "research three", Day.AddDays(2), owner: "p-ann"));
        await AppendAsync(log, Ended("77770000cc", 2, MissionStatus.Completed, "three answered"));
        var search = await StartedAsync(log);
        try
        {
            Assert.Equal(["3f9a01c2aa"], Find(log, search, "3F9A01"));
            Assert.Equal(["3f9b0000bb"], Find(log, search, "3f9b"));
            Assert.Equal(["77770000cc"], Find(log, search, "77770000CC"));
            Assert.Empty(Find(log, search, "3f9c"));
            Assert.Empty(Find(log, search, "sch-1")); // a schedule is not a mission of the whiteboard

            // Dates (inclusive), a status, an owner.
            Assert.Equal(["77770000cc", "3f9b0000bb"], Find(log, search, "research", from: Day.AddHours(1)));
            Assert.Equal(["3f9a01c2aa"], Find(log, search, null, to: Day));
            Assert.Equal(["3f9b0000bb"], Find(log, search, "", from: Day.AddDays(1), to: Day.AddDays(1).AddHours(1)));
            Assert.Equal(["77770000cc"], Find(log, search, "research", status: MissionStatus.Completed));
            Assert.Equal(["77770000cc", "3f9a01c2aa"], Find(log, search, "research", owner: "p-ann"));
            Assert.Empty(Find(log, search, "research", owner: "p-carl"));
        }
        finally
        {
            await search.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [InlineData("!!! ??? ...")]
    [InlineData("a")]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("' OR 1=1 --")]
    [InlineData("\u0000\u0001\u200b")]
    public async Task Queries_of_no_words_or_hostile_text_find_nothing_and_do_not_throw(string q)
    {
        await using var log = new MissionLog(Options, NullLogger<MissionLog>.Instance);
        await AppendAsync(log, Created("aaaa1111", "research script alert", Day));
        var search = await StartedAsync(log);
        try
        {
            var found = Find(log, search, q);
            Assert.True(found.Count == 0 || q.Contains("script"), string.Join(",", found));
            Assert.Empty(Find(log, search, new string('x', 5_000)));
            Assert.Empty(Find(log, search, string.Concat(Enumerable.Repeat("zz ", 3_000))));
        }
        finally
        {
            await search.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_line_that_cannot_be_read_whole_leaves_its_mission_out_and_the_rest_searchable()
    {
        await using (var before = new MissionLog(Options, NullLogger<MissionLog>.Instance))
        {
            await AppendAsync(before, Created("aaaa1111", "research first reminders", Day));
        }
        // Its facts read (a creation of a valid id), its body not (no objective): a hand-edited or damaged line.
        await File.AppendAllTextAsync(Path.Combine(_data.Path, LogFiles.Missions),
            """{"event_type":"mission_created","mission_id":"bbbb2222","seq":1,"timestamp":"2026-11-02T09:00:00Z","objective":42}""" + "\n");
        await using var log = new MissionLog(Options, NullLogger<MissionLog>.Instance);
        await AppendAsync(log, Created("cccc3333", "research third reminders", Day));
        var search = await StartedAsync(log);
        try
        {
            Assert.Equal(["cccc3333", "aaaa1111"], Find(log, search, "reminders"));
            Assert.Empty(Find(log, search, "bbbb2222"));
        }
        finally
        {
            await search.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Missions_made_and_ended_while_it_runs_are_each_found_by_their_objective_and_answer()
    {
        await using var log = new MissionLog(Options, NullLogger<MissionLog>.Instance);
        var search = await StartedAsync(log);
        try
        {
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < 300; i++)
                {
                    var id = $"live{w}n{i:D4}";
                    await AppendAsync(log, Created(id, $"research objective{w}x{i:D4}", Day));
                    if (i % 3 == 0)
                    {
                        await Task.Delay(1);
                    }
                    await AppendAsync(log, Ended(id, 2, MissionStatus.Failed, error: $"error{w}x{i:D4} happened"));
                }
            })).ToList();
            await Task.WhenAll(writers);
            await CaughtUpAsync(search);
            var ids = Enumerable.Range(0, 4).SelectMany(w => Enumerable.Range(0, 300).Select(i => (w, i))).ToList();
            await Until(() => ids.All(x => Find(log, search, $"error{x.w}x{x.i:D4}").Count == 1), "every error");
            Assert.All(ids, x => Assert.Equal([$"live{x.w}n{x.i:D4}"], Find(log, search, $"objective{x.w}x{x.i:D4}")));
        }
        finally
        {
            await search.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Words_in_any_script_are_found_and_overlong_runs_are_not_words()
    {
        await using var log = new MissionLog(Options, NullLogger<MissionLog>.Instance);
        await AppendAsync(log, Created("aaaa1111", "Größe der Puffer — 東京 " + new string('q', 60), Day));
        var search = await StartedAsync(log);
        try
        {
            Assert.Equal(["aaaa1111"], Find(log, search, "größe"));
            Assert.Equal(["aaaa1111"], Find(log, search, "東京"));
            Assert.Empty(Find(log, search, new string('q', 60)));
        }
        finally
        {
            await search.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Missions_written_while_the_index_catches_up_are_each_found_once()
    {
        await using var log = new MissionLog(Options, NullLogger<MissionLog>.Instance);
        for (var i = 0; i < 3_000; i++)
        {
            await AppendAsync(log, Created($"before{i:D5}", $"research topic{i} before", Day.AddMinutes(i)));
        }
        var search = new MissionSearch(log.Reader, NullLogger<MissionSearch>.Instance);
        await search.StartAsync(CancellationToken.None);
        try
        {
            // While it reads the 3,000 above, 4 writers add 500 each and end half of the earlier ones.
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < 500; i++)
                {
                    await AppendAsync(log, Created($"w{w}n{i:D4}", $"research topic9{w}{i:D4} during", Day.AddDays(3)));
                    var earlier = w * 750 + i;
                    if (earlier % 2 == 0)
                    {
                        await AppendAsync(log, Ended($"before{earlier:D5}", 2, MissionStatus.Completed, $"answer{earlier}x found"));
                    }
                }
            })).ToList();
            await Task.WhenAll(writers);
            await CaughtUpAsync(search);
            await Until(() => Find(log, search, "before").Count == 100 && log.Index.Newest(null, 10_000, match: search.Find("during", null, null)).Count == 2_000, "the missions before and during");
            var before = log.Index.Newest(null, 10_000, match: search.Find("before", null, null)).Select(m => m.MissionId).ToList();
            Assert.Equal(3_000, before.Count);
            Assert.Equal(3_000, before.Distinct().Count());
            Assert.Single(Find(log, search, "topic1234"));
            var ended = Enumerable.Range(0, 4).SelectMany(w => Enumerable.Range(w * 750, 500)).Where(i => i % 2 == 0).ToList();
            Assert.Equal(1_000, ended.Count);
            await Until(() => ended.All(i => Find(log, search, $"answer{i}x").SequenceEqual([$"before{i:D5}"])), "every answer");
            Assert.Empty(Find(log, search, "answer1x")); // not ended
        }
        finally
        {
            await search.StopAsync(CancellationToken.None);
        }
    }
}
