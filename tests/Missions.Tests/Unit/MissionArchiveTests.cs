using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Missions.Tests.Support;

namespace Missions.Tests.Unit;

/// <summary>Retention: ended missions past it leave the live log for a month of the archive, read back by id, restored by month.</summary>
public sealed class MissionArchiveTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private static readonly DateTime Now = DateTime.UtcNow;

    public void Dispose() => _data.Dispose();

    private MissionLog Open(double? retentionDays = null) =>
        new(Options.Create(new MissionsOptions { DataDirectory = _data.Path }), NullLogger<MissionLog>.Instance,
            Options.Create(new RetentionOptions { EndedMissionDays = retentionDays }));

    private static MissionCreated Created(string id, DateTime at) => new()
    {
        MissionId = id, Timestamp = at, SessionId = "s1", Owner = "alice",
        Objective = new Objective { Type = "research", Description = "d " + id }, Constraints = new MissionConstraints(), SourceMessage = "d",
    };

    private static MissionStatusUpdated Status(string id, MissionStatus status, DateTime at) =>
        new() { MissionId = id, Timestamp = at, Status = status, Attempt = 1, Reason = status.ToWireName() };

    private static string Month(DateTime at) => at.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Two missions ended long ago (in different months), one ended long ago but reused lately, one never ended, one ended lately.</summary>
    private async Task WriteMissionsAsync()
    {
        await using var log = Open();
        var old1 = Now.AddDays(-90);
        var old2 = Now.AddDays(-60);
        Assert.True(await log.AppendAsync("old1", [Created("old1", old1), Status("old1", MissionStatus.Completed, old1.AddHours(1))], 0));
        Assert.True(await log.AppendAsync("old2", [Created("old2", old2), Status("old2", MissionStatus.Queued, old2), Status("old2", MissionStatus.Failed, old2.AddHours(2))], 0));
        Assert.True(await log.AppendAsync("reused", [Created("reused", old1), Status("reused", MissionStatus.Completed, old1)], 0));
        Assert.True(await log.AppendAsync("reused", [new MissionReused { MissionId = "reused", Timestamp = Now.AddDays(-1), SessionId = "s2", SourceMessage = "again" }], 2));
        Assert.True(await log.AppendAsync("waiting", [Created("waiting", old1), Status("waiting", MissionStatus.Queued, old1)], 0));
        Assert.True(await log.AppendAsync("recent", [Created("recent", Now.AddDays(-2)), Status("recent", MissionStatus.Cancelled, Now.AddDays(-1))], 0));
    }

    private string[] LiveLines() => File.ReadAllLines(_data.File(LogFiles.Missions)).Where(l => l.Length > 0).ToArray();

    private static string[] MonthLines(string path)
    {
        using var zip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(zip, Encoding.UTF8);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private string MonthPath(string month) => Path.Combine(_data.Path, MissionArchive.DirectoryName, MissionArchive.MonthFile(month));

    [Fact]
    public async Task Ended_missions_past_retention_leave_the_live_log_for_their_month_and_are_read_back_by_id()
    {
        await WriteMissionsAsync();
        File.AppendAllText(_data.File(LogFiles.Missions), "{not a line of any mission\n"); // kept where it is: nothing is dropped

        await using (var log = Open(retentionDays: 30))
        {
            Assert.Null(log.Index.OwnerOf("old1"));
            Assert.Null(log.Index.OwnerOf("old2"));
            Assert.Equal("alice", log.Index.OwnerOf("reused")); // used a day ago: live for 29 more days
            Assert.Equal("alice", log.Index.OwnerOf("waiting")); // never ended
            Assert.Equal("alice", log.Index.OwnerOf("recent"));
            Assert.Equal(3, log.Index.VersionOf("reused"));
            // The log goes on after the switch.
            Assert.True(await log.AppendAsync("waiting", [Status("waiting", MissionStatus.Active, Now)], 2));
        }
        var live = LiveLines();
        Assert.DoesNotContain(live, l => l.Contains("\"old1\"") || l.Contains("\"old2\""));
        Assert.Contains(live, l => l.StartsWith("{not a line", StringComparison.Ordinal));
        Assert.Equal(3 + 2 + 2 + 1 + 1, live.Length); // reused, waiting (+1 after), recent, the odd line

        var month1 = Month(Now.AddDays(-90).AddHours(1));
        var month2 = Month(Now.AddDays(-60).AddHours(2));
        Assert.Equal(new[] { month1, month2 }.Distinct().Order(StringComparer.Ordinal), MissionArchive.Months(_data.Path));
        var old1 = MissionArchive.Read(_data.Path, "old1");
        Assert.NotNull(old1);
        Assert.Equal([1, 2], old1.Select(e => e.Seq));
        Assert.Equal(MissionStatus.Completed, MissionView.FromEvents(old1).Status);
        Assert.Equal(3, MissionArchive.Read(_data.Path, "old2")!.Count);
        Assert.Null(MissionArchive.Read(_data.Path, "waiting"));
        Assert.Null(MissionArchive.Read(_data.Path, "never-was"));
        Assert.True(MonthIds.Excludes(Path.Combine(_data.Path, MissionArchive.DirectoryName, MissionArchive.IdsFile(month1)), "never-was"));
        Assert.False(MonthIds.Excludes(Path.Combine(_data.Path, MissionArchive.DirectoryName, MissionArchive.IdsFile(month1)), "old1"));

        // Nothing more is due at the next start; the archive stays as it is.
        var before = File.ReadAllBytes(MonthPath(month1));
        await using (var log = Open(retentionDays: 30))
        {
            Assert.Equal(3, log.Index.VersionOf("waiting"));
        }
        Assert.Equal(before, File.ReadAllBytes(MonthPath(month1)));
    }

    [Fact]
    public async Task A_schedules_last_run_stays_live_however_old_and_its_earlier_runs_go()
    {
        var old = Now.AddDays(-90);
        await using (var log = Open())
        {
            Assert.True(await log.AppendAsync("run1", [Created("run1", old), Status("run1", MissionStatus.Completed, old)], 0));
            Assert.True(await log.AppendAsync("run2", [Created("run2", old.AddDays(7)), Status("run2", MissionStatus.Completed, old.AddDays(7))], 0));
            Assert.True(await log.AppendAsync("weekly",
            [
                new ScheduleFired { MissionId = "weekly", Timestamp = old, Due = old, RunMissionId = "run1" },
                new ScheduleFired { MissionId = "weekly", Timestamp = old.AddDays(7), Due = old.AddDays(7), RunMissionId = "run2" },
                new ScheduleFired { MissionId = "weekly", Timestamp = old.AddDays(14), Due = old.AddDays(14), Skipped = "paused" },
            ], 0));
        }
        await using (var log = Open(retentionDays: 30))
        {
            // The schedule reads its last run before it fires again (paused for months, or monthly with a short retention).
            Assert.Equal(2, log.Index.VersionOf("run2"));
            Assert.Equal(0, log.Index.VersionOf("run1"));
            Assert.Equal(3, log.Index.VersionOf("weekly"));
        }
        Assert.NotNull(MissionArchive.Read(_data.Path, "run1"));
    }

    private MissionLog Open(double? missionDays, double? conversationDays) =>
        new(Options.Create(new MissionsOptions { DataDirectory = _data.Path }), NullLogger<MissionLog>.Instance,
            Options.Create(new RetentionOptions { EndedMissionDays = missionDays, IdleConversationDays = conversationDays }));

    private ChatLog OpenChats() => new(Options.Create(new MissionsOptions { DataDirectory = _data.Path }), NullLogger<ChatLog>.Instance);

    private static Chat.ChatMessage Said(string session, DateTime at, string text, string? mission = null, string? schedule = null) =>
        new() { SessionId = session, Timestamp = at, Role = "user", Text = text, MissionId = mission, ScheduleId = schedule, Owner = "alice" };

    [Fact]
    public async Task Idle_conversations_leave_for_the_archive_unless_they_wait_for_an_outcome_or_hold_a_schedule_and_are_read_not_continued()
    {
        await WriteMissionsAsync();
        var old = Now.AddDays(-60);
        await using (var chats = OpenChats())
        {
            Assert.True(await chats.AppendAsync("idle", [Said("idle", old, "hello"), Said("idle", old, "its card", mission: "old1")], 0));
            Assert.True(await chats.AppendAsync("waits", [Said("waits", old, "still queued", mission: "waiting")], 0));
            Assert.True(await chats.AppendAsync("holds", [Said("holds", old, "every monday", schedule: "weekly")], 0));
            Assert.True(await chats.AppendAsync("recent", [Said("recent", Now.AddDays(-1), "yesterday")], 0));
        }
        await using (Open(missionDays: null, conversationDays: 30))
        {
        }
        await using (var chats = OpenChats())
        {
            Assert.Equal((0, 1, 1, 1), (chats.CountOf("idle"), chats.CountOf("waits"), chats.CountOf("holds"), chats.CountOf("recent")));
            var archived = ChatArchive.Read(_data.Path, "idle");
            Assert.NotNull(archived);
            Assert.Equal(["hello", "its card"], archived.Select(m => m.Text));
            Assert.Null(ChatArchive.Read(_data.Path, "recent"));
            // Read, not continued: begun again it would be a second conversation under its id.
            await Assert.ThrowsAsync<ConversationArchivedException>(() => chats.AppendAsync("idle", [Said("idle", Now, "back again")], 0));
            Assert.True(await chats.AppendAsync("new-one", [Said("new-one", Now, "a new conversation")], 0));
        }
        Assert.Null(MissionArchive.Read(_data.Path, "old1")); // missions' retention was off: old1 is live

        var month = Month(old);
        Assert.Equal((1, 2L), MissionArchive.RestoreMonth(_data.Path, month, MissionArchive.Chats));
        await using (var chats = OpenChats())
        {
            Assert.Equal(2, chats.CountOf("idle"));
        }
    }

    [Fact]
    public async Task A_compaction_killed_after_its_months_were_in_place_keeps_each_mission_once()
    {
        await WriteMissionsAsync();
        var uncompacted = File.ReadAllBytes(_data.File(LogFiles.Missions));
        await using (Open(retentionDays: 30))
        {
        }
        // As if the process had died after step 3: the months in place, the old live log, what steps 2–4 leave beside.
        File.WriteAllBytes(_data.File(LogFiles.Missions), uncompacted);
        File.WriteAllText(_data.File(LogFiles.Missions) + ".partial", "{\"half");
        File.WriteAllText(Path.Combine(_data.Path, MissionArchive.DirectoryName, "missions-2026-01.jsonl.gz.partial"), "half");

        await using (var log = Open(retentionDays: 30))
        {
            Assert.Null(log.Index.OwnerOf("old1"));
        }
        var archived = MissionArchive.Months(_data.Path).SelectMany(m => MonthLines(MonthPath(m))).ToList();
        Assert.Equal(2, archived.Count(l => l.Contains("\"mission_id\":\"old1\"")));
        Assert.Equal(3, archived.Count(l => l.Contains("\"mission_id\":\"old2\"")));
        Assert.Equal(5, archived.Count);
        Assert.Empty(Directory.GetFiles(_data.Path, "*.partial", SearchOption.AllDirectories));
        Assert.DoesNotContain(LiveLines(), l => l.Contains("\"old1\""));
    }

    [Fact]
    public async Task A_month_restored_is_live_again_once_and_a_backup_carries_the_archive()
    {
        await WriteMissionsAsync();
        await using (Open(retentionDays: 30))
        {
        }
        var month = Month(Now.AddDays(-90).AddHours(1));

        // A backup carries the months; restored elsewhere, an archived mission is still read by id.
        using var copy = new TempDirectory();
        using (var backup = new MemoryStream())
        {
            await DataDirectoryBackup.BackUpAsync(_data.Path, backup);
            backup.Position = 0;
            await DataDirectoryBackup.RestoreAsync(backup, copy.File("data"));
        }
        Assert.Equal(2, MissionArchive.Read(copy.File("data"), "old1")!.Count);

        var sameMonth = month == Month(Now.AddDays(-60).AddHours(2)); // old2 ended 30 days later: its month, unless both fall in one
        Assert.Equal(sameMonth ? (2, 5L) : (1, 2L), MissionArchive.RestoreMonth(_data.Path, month));
        Assert.DoesNotContain(month, MissionArchive.Months(_data.Path));
        var missing = Assert.Throws<FileNotFoundException>(() => MissionArchive.RestoreMonth(_data.Path, month));
        Assert.Contains("holds no month", missing.Message);
        await using (var log = Open())
        {
            Assert.Equal(2, log.Index.VersionOf("old1"));
            Assert.Equal(MissionStatus.Completed, log.Reader.ReadView("old1")!.Status);
        }
        Assert.Equal(2, LiveLines().Count(l => l.Contains("\"mission_id\":\"old1\"")));
    }
}
