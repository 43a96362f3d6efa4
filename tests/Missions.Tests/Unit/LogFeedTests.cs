using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Missions.Tests.Support;

namespace Missions.Tests.Unit;

/// <summary>The seam: following a log from a position gives every durable line once, in order, whoever publishes it.</summary>
public sealed class LogFeedTests : IDisposable
{
    private readonly TempDirectory _data = new();

    private IOptions<MissionsOptions> Options => Microsoft.Extensions.Options.Options.Create(new MissionsOptions { DataDirectory = _data.Path });

    private static MissionEvent Created(string id) => new MissionCreated
    {
        MissionId = id, Timestamp = DateTime.UtcNow, SessionId = "s",
        Objective = new Objective { Type = "noop", Description = "d" }, Constraints = new MissionConstraints(), SourceMessage = "d",
    };

    private static string Line(MissionEvent e) => System.Text.Json.JsonSerializer.Serialize(e, MissionsJson.Context.MissionEvent);

    private static async Task<List<LogLine<MissionEvent>>> ReadAsync(LogFeed<MissionEvent>.Cursor cursor, int count)
    {
        var seen = new List<LogLine<MissionEvent>>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (seen.Count < count)
        {
            seen.AddRange(await cursor.ReadAsync(100, timeout.Token));
        }
        return seen;
    }

    [Fact]
    public async Task Following_from_the_start_while_writers_append_gives_every_line_once_in_file_order()
    {
        await using var log = new MissionLog(Options, NullLogger<MissionLog>.Instance);
        for (var i = 0; i < 500; i++)
        {
            Assert.True(await log.AppendAsync($"before-{i}", [Created($"before-{i}")], 0));
        }

        // Followed from 0 while 8 writers keep appending: the lines before are read from the file, the rest as they land.
        using var cursor = log.Feed.Follow(0);
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 250; i++)
            {
                Assert.True(await log.AppendAsync($"w{w}-{i}", [Created($"w{w}-{i}")], 0));
            }
        })).ToList();
        var seen = await ReadAsync(cursor, 2_500);
        await Task.WhenAll(writers);

        Assert.Equal(2_500, seen.Count);
        Assert.Equal(2_500, seen.Select(e => e.Value.MissionId).Distinct().Count());
        Assert.True(seen.Zip(seen.Skip(1)).All(pair => pair.First.Next == pair.Second.Where.Offset), "lines follow each other in the file, none skipped");
        Assert.Equal(log.Feed.End, seen[^1].Next);
    }

    [Fact]
    public async Task A_follower_that_falls_behind_holds_a_bounded_queue_and_reads_on_from_the_file_missing_nothing()
    {
        await using var log = new MissionLog(Options, NullLogger<MissionLog>.Instance);
        using var slow = log.Feed.Follow(log.Feed.End);
        var total = LogFeed<MissionEvent>.MaxQueued * 2 + 123;
        for (var i = 0; i < total; i += 100)
        {
            await log.AppendAsync($"burst-{i}", [.. Enumerable.Range(i, Math.Min(100, total - i)).Select(j => Created($"burst-{i}") with { TraceId = j.ToString() })], 0);
        }

        // It read nothing while twice its queue was published: it was let go, and reads on from where it was.
        var seen = await ReadAsync(slow, total);
        Assert.Equal(total, seen.Count);
        Assert.Equal(Enumerable.Range(0, total).Select(j => j.ToString()), seen.Select(e => e.Value.TraceId));
        Assert.True(seen.Zip(seen.Skip(1)).All(pair => pair.First.Next == pair.Second.Where.Offset), "lines follow each other in the file, none skipped");
        Assert.Equal(log.Feed.End, slow.Position);

        // And it is live again: what comes next arrives as it is published.
        await log.AppendAsync("later", [Created("later")], 0);
        Assert.Equal("later", Assert.Single(await slow.ReadAsync(10, CancellationToken.None)).Value.MissionId);
    }

    [Fact]
    public async Task Following_from_the_end_gives_only_what_comes_next_and_a_closed_cursor_drains_then_ends()
    {
        await using var log = new MissionLog(Options, NullLogger<MissionLog>.Instance);
        await log.AppendAsync("old", [Created("old")], 0);
        var cursor = log.Feed.Follow(log.Feed.End);
        await log.AppendAsync("new", [Created("new")], 0);
        cursor.Dispose();
        await log.AppendAsync("after", [Created("after")], 0);

        Assert.Equal(["new"], (await cursor.ReadAsync(10, CancellationToken.None)).Select(e => e.Value.MissionId));
        Assert.Empty(await cursor.ReadAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task A_replay_reads_lines_longer_than_its_chunk_and_skips_malformed_ones()
    {
        var path = _data.File(LogFiles.Missions);
        var huge = Created("huge") with { TraceId = new string('t', 3 << 20) };
        File.WriteAllText(path, Line(Created("a")) + "\n{not json\n" + Line(huge) + "\n");
        await using var log = new MissionLog(Options, NullLogger<MissionLog>.Instance);

        using var cursor = log.Feed.Follow(0);
        var seen = await ReadAsync(cursor, 2);

        Assert.Equal(["a", "huge"], seen.Select(e => e.Value.MissionId));
        Assert.Equal(3 << 20, seen[1].Value.TraceId!.Length);
    }

    [Fact]
    public async Task In_client_mode_a_follower_publishes_lines_another_process_writes_once_they_are_whole()
    {
        var path = _data.File(LogFiles.Missions);
        File.WriteAllText(path, Line(Created("there-before")) + "\n");
        using var follower = new MissionLogFollower(Options, NullLogger<MissionLogFollower>.Instance);
        await follower.StartAsync(CancellationToken.None);
        using var cursor = follower.Feed.Follow(follower.Feed.End);

        // Another process writes a line in two parts: nothing is published until its newline lands.
        var line = Encoding.UTF8.GetBytes(Line(Created("written-later") with { Seq = 1 }) + "\n");
        await using (var writer = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            writer.Write(line.AsSpan(0, 40));
            writer.Flush();
            await Task.Delay(400);
            Assert.Equal(0, follower.Reader.Index.VersionOf("written-later"));
            writer.Write(line.AsSpan(40));
        }

        var seen = await ReadAsync(cursor, 1);
        Assert.Equal("written-later", seen.Single().Value.MissionId);
        Assert.Equal(1, follower.Reader.Index.VersionOf("written-later"));
        Assert.Equal(1, follower.Reader.Index.VersionOf("there-before"));
        await follower.StopAsync(CancellationToken.None);
    }

    public void Dispose() => _data.Dispose();
}
