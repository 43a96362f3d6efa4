using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Missions.PostgreSql;
using Missions.Tests.Support;
using Npgsql;

namespace Missions.Tests.Store;

/// <summary>Reading the store in position order misses nothing, and a web frontend's mirror copies it once, line for line.</summary>
[Collection(PostgresCollection.Name)]
public sealed class StoreMirrorTests(PostgresServer postgres) : IDisposable
{
    private readonly TempDirectory _data = new();

    private static MissionEvent Created(string id) => new MissionCreated
    {
        MissionId = id, Timestamp = DateTime.UtcNow, SessionId = "s",
        Objective = new Objective { Type = "noop", Description = "d" }, Constraints = new MissionConstraints(), SourceMessage = "d",
    };

    private async Task<NpgsqlDataSource> DatabaseAsync()
    {
        var db = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        await PostgresSchema.EnsureAsync(db);
        return db;
    }

    /// <summary>
    /// A transaction that takes its position, then stays open while other writers commit theirs: a reader that
    /// follows positions (as the mirror does) records everything it saw; returns the positions it skipped for good.
    /// </summary>
    private static async Task<List<long>> SkippedBehindASlowTransactionAsync(NpgsqlDataSource db, bool slowTakesTheCommitLock)
    {
        await using var store = new PostgresStore(db, NullLogger<PostgresStore>.Instance);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<long>();
        using var stop = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            long last = 0;
            while (!stop.IsCancellationRequested)
            {
                await using var command = db.CreateCommand("SELECT position FROM mission_events WHERE position > @last ORDER BY position");
                command.Parameters.AddWithValue("last", last);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    seen.Enqueue(last = reader.GetInt64(0));
                }
                await Task.Delay(5);
            }
        });

        await using (var slow = await db.OpenConnectionAsync())
        {
            await using var transaction = await slow.BeginTransactionAsync();
            var sql = (slowTakesTheCommitLock ? $"SELECT pg_advisory_xact_lock({PostgresStore.CommitLock}); " : "") +
                "INSERT INTO mission_events (mission_id, seq, line) VALUES ('slow', 1, '{}')";
            await using (var insert = new NpgsqlCommand(sql, slow, transaction))
            {
                await insert.ExecuteNonQueryAsync();
            }
            // Meanwhile the store's group commit writes 50 missions (the second writer).
            var others = Task.WhenAll(Enumerable.Range(0, 50).Select(i => store.AppendAsync($"m{i}", [Created($"m{i}")], 0)));
            await Task.Delay(1_500);
            await transaction.CommitAsync();
            await others;
        }
        var all = new List<long>();
        await using (var command = db.CreateCommand("SELECT position FROM mission_events ORDER BY position"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                all.Add(reader.GetInt64(0));
            }
        }
        // The reader has caught up with the last row: whatever it skipped, it skipped for good.
        await Eventually.WaitAsync(() => seen.Contains(all[^1]), TimeSpan.FromSeconds(10), "the reader to reach the last row");
        await stop.CancelAsync();
        await reading;
        Assert.Equal(51, all.Count);
        return all.Except(seen).ToList();
    }

    [Fact]
    public async Task A_reader_following_positions_never_skips_a_row_that_commits_late()
    {
        await using var db = await DatabaseAsync();
        Assert.Empty(await SkippedBehindASlowTransactionAsync(db, slowTakesTheCommitLock: true));
    }

    [Fact]
    public async Task Without_the_commit_lock_the_same_reader_would_skip_it_the_problem_the_lock_solves()
    {
        await using var db = await DatabaseAsync();
        Assert.NotEmpty(await SkippedBehindASlowTransactionAsync(db, slowTakesTheCommitLock: false));
    }

    private MissionLog OpenLog() =>
        new(Options.Create(new MissionsOptions { DataDirectory = _data.Path }), NullLogger<MissionLog>.Instance);

    private ChatLog OpenChat() =>
        new(Options.Create(new MissionsOptions { DataDirectory = _data.Path }), NullLogger<ChatLog>.Instance);

    private static StoreMirror Mirror(NpgsqlDataSource db, MissionLog missions, ChatLog chats) =>
        new(db, missions, chats, new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance), NullLogger<StoreMirror>.Instance);

    [Fact]
    public async Task The_mirror_copies_the_store_line_for_line_and_resumes_after_a_stop_without_gap_or_repeat()
    {
        await using var db = await DatabaseAsync();
        await using var store = new PostgresStore(db, NullLogger<PostgresStore>.Instance);
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => store.AppendAsync($"a{i}", [Created($"a{i}")], 0)));

        await using (var missions = OpenLog())
        await using (var chats = OpenChat())
        {
            var mirror = Mirror(db, missions, chats);
            await mirror.StartAsync(CancellationToken.None);
            await Eventually.WaitAsync(() => missions.Index.Count == 200, TimeSpan.FromSeconds(20), "the first 200 missions mirrored");
            await mirror.StopAsync(CancellationToken.None);
        }
        // Written while no mirror ran, and while the next one runs.
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => store.AppendAsync($"b{i}", [Created($"b{i}")], 0)));
        await using (var missions = OpenLog())
        await using (var chats = OpenChat())
        {
            var mirror = Mirror(db, missions, chats);
            await mirror.StartAsync(CancellationToken.None);
            await Task.WhenAll(Enumerable.Range(0, 100).Select(i => store.AppendAsync($"c{i}", [Created($"c{i}")], 0)));
            await Eventually.WaitAsync(() => missions.Index.Count == 400, TimeSpan.FromSeconds(20), "all 400 missions mirrored");
            await mirror.StopAsync(CancellationToken.None);
        }

        var lines = File.ReadAllLines(_data.File(LogFiles.Missions));
        var stored = new List<string>();
        await using (var command = db.CreateCommand("SELECT line FROM mission_events ORDER BY position"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetString(0));
            }
        }
        Assert.Equal(stored, lines);
    }

    [Fact]
    public async Task A_data_directory_that_is_not_a_mirror_of_the_store_is_refused_not_mixed()
    {
        await using (var own = OpenLog())
        {
            Assert.True(await own.AppendAsync("local", [Created("local")], 0)); // the embedded default wrote here
        }
        await using var db = await DatabaseAsync();
        await using var missions = OpenLog();
        await using var chats = OpenChat();
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var mirror = new StoreMirror(db, missions, chats, lifetime, NullLogger<StoreMirror>.Instance);
        await mirror.StartAsync(CancellationToken.None);
        await Eventually.WaitAsync(() => lifetime.ApplicationStopping.IsCancellationRequested, TimeSpan.FromSeconds(20), "the mirror to stop the application");
        Assert.Equal(4, Environment.ExitCode);
        Environment.ExitCode = 0;
        Assert.Single(File.ReadAllLines(_data.File(LogFiles.Missions)));
    }

    public void Dispose() => _data.Dispose();
}
