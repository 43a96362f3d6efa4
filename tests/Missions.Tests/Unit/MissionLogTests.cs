using System.Text.Json;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Missions.Tests.Support;

namespace Missions.Tests.Unit;

public sealed class MissionLogTests : IDisposable
{
    private readonly TempDirectory _data = new();

    private string LogPath => _data.File(LogFiles.Missions);

    private MissionLog Open() =>
        new(Options.Create(new MissionsOptions { DataDirectory = _data.Path }), NullLogger<MissionLog>.Instance);

    private static MissionEvent[] NewMission(string id) =>
    [
        new MissionCreated
        {
            MissionId = id, Timestamp = DateTime.UtcNow, SessionId = "s1",
            Objective = new Objective { Type = "research", Description = "d" }, Constraints = new MissionConstraints(), SourceMessage = "d",
        },
        Status(id, MissionStatus.Queued, "queued"),
    ];

    private static MissionStatusUpdated Status(string id, MissionStatus status, string reason) =>
        new() { MissionId = id, Timestamp = DateTime.UtcNow, Status = status, Attempt = 1, Reason = reason };

    [Fact]
    public void Facts_read_from_a_line_are_the_facts_of_its_event()
    {
        var retryAt = new DateTime(2026, 11, 28, 10, 0, 0, 500, DateTimeKind.Utc);
        MissionEvent[] events =
        [
            (MissionCreated)NewMission("m1")[0] with { Priority = MissionPriority.High },
            Status("m1", MissionStatus.Queued, "retry_scheduled") with { RetryAt = retryAt, ExecutionResult = new ExecutionResult { FinalAnswer = "{\"status\":\"x\"}" } },
            new MissionReused { MissionId = "m1", Timestamp = DateTime.UtcNow, SessionId = "s", SourceMessage = "status: done" },
            new MissionProgress
            {
                MissionId = "m1", Timestamp = DateTime.UtcNow, Attempt = 1, PagesRead = 1, MaxPages = 5,
                ToolCall = new ToolCall { Key = "k", Tool = "http_fetch", Url = "https://a.example/", Outcome = ToolCall.Fetched },
            },
        ];

        foreach (var e in events)
        {
            var line = JsonSerializer.SerializeToUtf8Bytes(e, MissionsJson.Context.MissionEvent);
            var id = new char[MissionLineHeader.MaxIdLength];
            Assert.True(MissionLineHeader.TryRead(line, id, out var length, out var facts), Encoding.UTF8.GetString(line));
            Assert.Equal(MissionLineHeader.Of(e), facts);
            Assert.Equal(e.MissionId, new string(id, 0, length));
        }
    }

    [Theory]
    [InlineData("{this line is corrupt")]
    [InlineData("""{"event_type":"mission_status_update","mission_id":"m1","status":"queued"} trailing""")]
    [InlineData("""{"mission_id":"m1","seq":1}""")]
    [InlineData("""{"event_type":"mission_status_update","mission_id":"m1","status":"sleeping"}""")]
    [InlineData("""{"event_type":"mission_status_update","status":"queued"}""")]
    [InlineData("""{"event_type":"mission_status_update","mission_id":"../etc","status":"queued"}""")]
    [InlineData("""{"event_type":"mission_created","mission_id":"m1","objective":{"type":"x",}""")]
    [InlineData("[]")]
    public void Lines_that_are_not_mission_events_have_no_facts(string line) =>
        Assert.False(MissionLineHeader.TryRead(Encoding.UTF8.GetBytes(line), new char[MissionLineHeader.MaxIdLength], out _, out _));

    [Fact]
    public void A_line_of_a_type_this_build_does_not_know_is_a_line_of_its_stream()
    {
        var id = new char[MissionLineHeader.MaxIdLength];
        Assert.True(MissionLineHeader.TryRead("""{"event_type":"mission_deleted","mission_id":"m1","seq":4}"""u8, id, out var length, out var header));
        Assert.Equal(("m1", MissionLineKind.Unknown), (new string(id, 0, length), header.Kind));
    }

    [Fact]
    public async Task Appended_events_are_numbered_on_disk_and_indexed()
    {
        await using (var log = Open())
        {
            Assert.True(await log.AppendAsync("m1", NewMission("m1"), 0));
            Assert.True(await log.AppendAsync("m1", [Status("m1", MissionStatus.Active, "execution_started")], 2));

            var lines = await File.ReadAllLinesAsync(LogPath);
            Assert.Equal(3, lines.Length);
            Assert.Contains("\"seq\":3", lines[2]);
            Assert.Equal(3, log.Index.VersionOf("m1"));
            Assert.Equal(MissionStatus.Active, log.Reader.ReadView("m1")!.Status);
        }
    }

    [Fact]
    public async Task Text_in_the_log_is_readable_and_reads_back_the_same()
    {
        const string text = "Orleans-Erinnerungen für die Übersicht, 日本語 too; <b>\"quoted\"</b>";
        await using (var log = Open())
        {
            var created = (MissionCreated)NewMission("m1")[0] with { SourceMessage = text };
            Assert.True(await log.AppendAsync("m1", [created], 0));

            var line = Assert.Single(await File.ReadAllLinesAsync(LogPath, Encoding.UTF8));
            Assert.Contains("für die Übersicht, 日本語", line);
            Assert.Equal(text, ((MissionCreated)log.Reader.ReadEvents("m1")[0]).SourceMessage);
        }
    }

    [Fact]
    public void Lines_serialized_one_after_another_on_a_thread_carry_nothing_over()
    {
        var type = MissionsJson.Context.MissionEvent;
        var shortLine = Status("m1", MissionStatus.Queued, "queued");
        var longLine = Status("m2", MissionStatus.Completed, "execution_finished") with
        {
            ExecutionResult = new ExecutionResult { FinalAnswer = new string('x', 100_000), Success = true },
        };
        var alone = JsonSerializer.SerializeToUtf8Bytes<MissionEvent>(shortLine, type).Append((byte)'\n').ToArray();

        var (afterLong, _) = JsonlLines.Serialize([longLine, shortLine], type);
        var (next, lines) = JsonlLines.Serialize([shortLine], type);
        Assert.Throws<NotSupportedException>(() => JsonlLines.Serialize<MissionEvent>([shortLine, new NotALogEvent { MissionId = "m3", Timestamp = DateTime.UtcNow }], type));
        var (afterFailure, _) = JsonlLines.Serialize([shortLine], type);

        Assert.Equal(alone, afterLong[^alone.Length..]);
        Assert.Equal(alone, next);
        Assert.Equal((0, alone.Length - 1), lines[0]);
        Assert.Equal(alone, afterFailure);
    }

    /// <summary>An event the log does not know: serializing it fails.</summary>
    private sealed record NotALogEvent : MissionEvent;

    [Fact]
    public async Task Append_at_a_stale_version_is_refused_and_writes_nothing()
    {
        await using var log = Open();
        await log.AppendAsync("m1", NewMission("m1"), 0);
        var length = new FileInfo(LogPath).Length;

        var accepted = await log.AppendAsync("m1", [Status("m1", MissionStatus.Active, "execution_started")], 1);

        Assert.False(accepted);
        Assert.Equal(length, new FileInfo(LogPath).Length);
        Assert.Equal(2, log.Index.VersionOf("m1"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Index_is_rebuilt_on_open_with_the_unfinished_missions_in_order(bool keepCheckpoint)
    {
        await using (var log = Open())
        {
            await log.AppendAsync("done", NewMission("done"), 0);
            await log.AppendAsync("running", NewMission("running"), 0);
            await log.AppendAsync("waiting", NewMission("waiting"), 0);
            await log.AppendAsync("done", [Status("done", MissionStatus.Completed, "execution_finished")], 2);
            await log.AppendAsync("running", [Status("running", MissionStatus.Active, "execution_started")], 2);
        }
        Assert.True(File.Exists(_data.File(LogFiles.MissionsIndex))); // written on close
        if (!keepCheckpoint)
        {
            File.Delete(_data.File(LogFiles.MissionsIndex));
        }

        await using var reopened = Open();

        Assert.Equal(["running", "waiting"], reopened.Index.Unfinished());
        Assert.Equal(3, reopened.Index.VersionOf("done"));
        Assert.Equal(MissionStatus.Completed, reopened.Reader.ReadView("done")!.Status);
        Assert.Equal(keepCheckpoint ? 0 : 8, reopened.Opened.Lines);
        Assert.Equal(1, reopened.Index.CountOf(MissionStatus.Completed));
        Assert.Equal(1, reopened.Index.CountOf(MissionStatus.Active));
    }

    [Fact]
    public async Task A_checkpoint_is_resumed_from_and_the_lines_after_it_are_read()
    {
        await using (var log = Open())
        {
            await log.AppendAsync("a", NewMission("a"), 0);
            await log.AppendAsync("b", NewMission("b"), 0);
            Assert.True(log.Checkpoint());
            await log.AppendAsync("a", [Status("a", MissionStatus.Completed, "execution_finished") with { RetryAt = null }], 2);
            await log.AppendAsync("c", NewMission("c"), 0);
            await log.AppendAsync("b", [Status("b", MissionStatus.Queued, "retry_scheduled") with { RetryAt = DateTime.UtcNow.AddHours(1) }], 2);
            File.Copy(_data.File(LogFiles.MissionsIndex), _data.File("early.index"));
        }
        // Back to the early checkpoint (as after a crash), so the newer lines have to be read.
        File.Copy(_data.File("early.index"), _data.File(LogFiles.MissionsIndex), overwrite: true);

        await using var reopened = Open();

        Assert.Equal(4, reopened.Opened.Lines);
        Assert.Equal(["c"], reopened.Index.Unfinished(DateTime.UtcNow));
        Assert.Equal(["b", "c"], reopened.Index.Unfinished());
        Assert.Equal(["c", "b", "a"], reopened.Index.Newest(null, 10).Select(m => m.MissionId));
        Assert.Equal(MissionStatus.Completed, reopened.Reader.ReadView("a")!.Status);
        Assert.True(await reopened.AppendAsync("c", [Status("c", MissionStatus.Active, "execution_started")], 2));
    }

    [Theory]
    [InlineData("log cut")]
    [InlineData("log edited")]
    [InlineData("checkpoint cut")]
    public async Task A_checkpoint_that_does_not_match_the_log_is_ignored_and_the_log_read_whole(string damage)
    {
        await using (var log = Open())
        {
            await log.AppendAsync("a", NewMission("a"), 0);
            await log.AppendAsync("b", NewMission("b"), 0);
            await log.AppendAsync("a", [Status("a", MissionStatus.Completed, "execution_finished")], 2);
        }
        var lines = await File.ReadAllLinesAsync(LogPath);
        switch (damage)
        {
            case "log cut":
                await File.WriteAllLinesAsync(LogPath, lines[..4]); // "a" did not complete after all
                break;
            case "log edited":
                await File.WriteAllLinesAsync(LogPath, lines.Select(l => l.Replace("\"session_id\":\"s1\"", "\"session_id\":\"s2\"")));
                break;
            default:
                var checkpoint = _data.File(LogFiles.MissionsIndex);
                File.WriteAllBytes(checkpoint, File.ReadAllBytes(checkpoint)[..^9]);
                break;
        }

        await using var reopened = Open();

        Assert.Equal(damage == "log cut" ? 4 : 5, reopened.Opened.Lines);
        Assert.Equal(damage == "log cut" ? ["a", "b"] : ["b"], reopened.Index.Unfinished());
    }

    [Fact]
    public async Task Torn_last_line_is_cut_off_and_appends_continue_on_a_clean_line()
    {
        await using (var log = Open())
        {
            await log.AppendAsync("m1", NewMission("m1"), 0);
        }
        var good = new FileInfo(LogPath).Length;
        await File.AppendAllTextAsync(LogPath, "{\"event_type\":\"mission_status_update\",\"mission_id\":\"m1\",\"se");

        await using var reopened = Open();
        Assert.Equal(good, new FileInfo(LogPath).Length);
        Assert.True(reopened.Opened.TornBytes > 0);
        Assert.True(await reopened.AppendAsync("m1", [Status("m1", MissionStatus.Active, "execution_started")], 2));

        var lines = await File.ReadAllLinesAsync(LogPath);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => MissionLogReader.ParseLine(Encoding.UTF8.GetBytes(l)));
    }

    [Fact]
    public async Task Malformed_line_in_the_middle_is_skipped_and_counted()
    {
        await using (var log = Open())
        {
            await log.AppendAsync("m1", NewMission("m1"), 0);
        }
        await File.AppendAllTextAsync(LogPath, "this is not json\n{\"event_type\":\"no_such_event\"}\n"); // (a known stream's line of an unknown type is a newer build's: see NewerBuildTests)
        await using (var log = Open())
        {
            await log.AppendAsync("m2", NewMission("m2"), 0);
        }
        File.Delete(_data.File(LogFiles.MissionsIndex)); // read it all, as a first start would

        await using var reopened = Open();

        Assert.Equal(2, reopened.Opened.Malformed);
        Assert.Equal(4, reopened.Opened.Lines);
        Assert.Equal(MissionStatus.Queued, reopened.Reader.ReadView("m2")!.Status);
        Assert.Equal(["m1", "m2"], reopened.Index.Unfinished());
    }

    [Fact]
    public async Task Group_commit_batches_concurrent_appends_and_each_lands_whole_at_its_offset()
    {
        const int writers = 64, each = 50;
        var path = _data.File("group.jsonl");
        await using var appender = new JsonlAppender(path, 0, NullLogger.Instance);

        var offsets = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = new List<(long, string)>();
            for (var i = 0; i < each; i++)
            {
                var line = $"{{\"writer\":{w},\"i\":{i}}}";
                mine.Add((await appender.AppendAsync(Encoding.UTF8.GetBytes(line + "\n"), 1), line));
            }
            return mine;
        })));

        var bytes = await File.ReadAllBytesAsync(path);
        foreach (var (offset, line) in offsets.SelectMany(o => o))
        {
            Assert.Equal(line + "\n", Encoding.UTF8.GetString(bytes, (int)offset, line.Length + 1));
        }
        Assert.Equal(writers * each, File.ReadAllLines(path).Length);
        Assert.Equal(writers * each, appender.Stats.Lines);
        Assert.True(appender.Stats.Batches < writers * each, $"{appender.Stats.Batches} batches for {writers * each} lines: no batching");
    }

    public void Dispose() => _data.Dispose();
}
