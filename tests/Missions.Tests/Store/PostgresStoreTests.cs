using Microsoft.Extensions.Logging.Abstractions;
using Missions.Chat;
using Missions.PostgreSql;
using Missions.Tests.Support;
using Npgsql;

namespace Missions.Tests.Store;

/// <summary>The PostgreSQL store on a private server: conditional appends, group commit, reads, the schema's versions.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresServer postgres, Xunit.Abstractions.ITestOutputHelper output)
{
    private static MissionEvent Created(string id, MissionPriority priority = MissionPriority.Normal) => new MissionCreated
    {
        MissionId = id, Timestamp = DateTime.UtcNow, SessionId = "s", Priority = priority,
        Objective = new Objective { Type = "noop", Description = "d" }, Constraints = new MissionConstraints(), SourceMessage = "d",
    };

    private static MissionEvent Status(string id, MissionStatus status, int attempt = 1, DateTime? retryAt = null) => new MissionStatusUpdated
    {
        MissionId = id, Timestamp = DateTime.UtcNow, Status = status, Attempt = attempt, Reason = "test", RetryAt = retryAt,
    };

    private async Task<(NpgsqlDataSource Db, PostgresStore Store)> OpenAsync(PostgresStore.CommitFaults? faults = null)
    {
        var db = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        await PostgresSchema.EnsureAsync(db);
        return (db, new PostgresStore(db, NullLogger<PostgresStore>.Instance, faults));
    }

    [Fact]
    public async Task An_append_lands_only_at_the_version_it_expects_and_the_loser_writes_nothing()
    {
        var (db, store) = await OpenAsync();
        await using var _ = db;
        await using var __ = store;
        Assert.True(await store.AppendAsync("m1", [Created("m1"), Status("m1", MissionStatus.Queued)], 0));
        Assert.False(await store.AppendAsync("m1", [Created("m1")], 0)); // created twice
        Assert.True(await store.AppendAsync("m1", [Status("m1", MissionStatus.Active)], 2));
        // Two activations of one mission (a silo declared dead still running): both record an end at version 3.
        var ends = await Task.WhenAll(
            store.AppendAsync("m1", [Status("m1", MissionStatus.Completed)], 3),
            store.AppendAsync("m1", [Status("m1", MissionStatus.Failed)], 3));
        Assert.Single(ends, won => won);

        var events = await store.ReadStreamAsync("m1");
        Assert.Equal([1, 2, 3, 4], events.Select(e => e.Seq));
        Assert.True(((MissionStatusUpdated)events[^1]).Status.IsTerminal());
        Assert.Empty(await store.ReadStreamAsync("unknown"));
    }

    [Fact]
    public async Task Two_stores_on_one_database_are_fenced_the_same_way()
    {
        var connection = await postgres.CreateDatabaseAsync();
        await using var db1 = NpgsqlDataSource.Create(connection);
        await using var db2 = NpgsqlDataSource.Create(connection);
        await PostgresSchema.EnsureAsync(db1);
        await PostgresSchema.EnsureAsync(db2);
        await using var silo1 = new PostgresStore(db1, NullLogger<PostgresStore>.Instance);
        await using var silo2 = new PostgresStore(db2, NullLogger<PostgresStore>.Instance);
        Assert.True(await silo1.AppendAsync("m", [Created("m")], 0));
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? silo1 : silo2).AppendAsync("m", [Status("m", MissionStatus.Completed, i)], 1)));
        Assert.Single(results, won => won);
        Assert.Equal(2, (await silo2.ReadStreamAsync("m")).Count);
    }

    [Fact]
    public async Task Unfinished_missions_come_oldest_first_with_their_priority_and_a_retry_waits_for_its_time()
    {
        var (db, store) = await OpenAsync();
        await using var _ = db;
        await using var __ = store;
        await store.AppendAsync("a", [Created("a"), Status("a", MissionStatus.Queued)], 0);
        await store.AppendAsync("b", [Created("b", MissionPriority.High), Status("b", MissionStatus.Queued)], 0);
        await store.AppendAsync("c", [Created("c"), Status("c", MissionStatus.Completed)], 0);
        await store.AppendAsync("d", [Created("d"), Status("d", MissionStatus.Queued, 2, DateTime.UtcNow.AddMinutes(5))], 0);

        var now = await store.UnfinishedAsync(DateTime.UtcNow);
        Assert.Equal([("a", MissionPriority.Normal), ("b", MissionPriority.High)], now);
        Assert.Equal(["a", "b", "d"], (await store.UnfinishedAsync(DateTime.UtcNow.AddMinutes(6))).Select(u => u.MissionId));
    }

    [Fact]
    public async Task Many_appends_at_once_are_committed_together_and_chat_messages_read_back_by_position()
    {
        var (db, store) = await OpenAsync();
        await using var _ = db;
        await using var __ = store;
        await Task.WhenAll(Enumerable.Range(0, 2_000).Select(i => store.AppendAsync($"m{i}", [Created($"m{i}")], 0)));
        var (commits, rows) = store.Stats;
        Assert.Equal(2_000, rows);
        Assert.True(commits < 1_000, $"{commits} commits for 2,000 appends: they were not grouped");

        Assert.True(await store.AppendAsync("s1", [.. Enumerable.Range(1, 5).Select(Message)], 0));
        Assert.Equal(["m3", "m4"], (await store.ReadAsync("s1", 2, 2)).Select(m => m.Text));
        Assert.Equal(5, (await store.ReadAsync("s1", 0, int.MaxValue)).Count);

        // Fenced like a mission: an append at a version the conversation has moved past writes nothing and says so.
        Assert.False(await store.AppendAsync("s1", [Message(4), Message(5)], 3));
        Assert.False(await store.AppendAsync("s1", [Message(1)], 0));
        Assert.Equal(["m1", "m2", "m3", "m4", "m5"], (await store.ReadAsync("s1", 0, int.MaxValue)).Select(m => m.Text));
        Assert.True(await store.AppendAsync("s1", [Message(6)], 5));
        Assert.Equal([1, 2, 3, 4, 5, 6], (await store.ReadAsync("s1", 0, int.MaxValue)).Select(m => m.Seq));

        static ChatMessage Message(int i) => new() { SessionId = "s1", Role = "user", Text = $"m{i}", Timestamp = DateTime.UtcNow };
    }

    [Fact]
    public async Task A_commit_whose_acknowledgement_is_lost_is_read_back_and_reported_as_the_success_it_was()
    {
        var faults = new PostgresStore.CommitFaults();
        var (db, store) = await OpenAsync(faults);
        await using var _ = db;
        await using var __ = store;
        var breaks = 0;
        faults.AfterCommit = () => Interlocked.Exchange(ref breaks, 0) == 1 ? throw new IOException("connection reset as COMMIT's answer came") : Task.CompletedTask;

        Volatile.Write(ref breaks, 1);
        var appends = await Task.WhenAll( // a mission's append and a conversation's, in the commit whose answer is lost
            store.AppendAsync("m1", [Created("m1")], 0),
            store.AppendAsync("s1", [Message("s1", 1), Message("s1", 2)], 0));
        Assert.Equal([true, true], appends);
        Assert.Equal([1], (await store.ReadStreamAsync("m1")).Select(e => e.Seq));
        Assert.Equal(["m1", "m2"], (await store.ReadAsync("s1", 0, int.MaxValue)).Select(m => m.Text));

        // An append that lost its race in a commit whose answer was lost: told it lost (false), not that it failed.
        Volatile.Write(ref breaks, 1);
        Assert.False(await store.AppendAsync("s1", [Message("s1", 9)], 1));
        Assert.Equal(["m1", "m2"], (await store.ReadAsync("s1", 0, int.MaxValue)).Select(m => m.Text));
        Assert.True(await store.AppendAsync("m1", [Status("m1", MissionStatus.Queued)], 1)); // and the store goes on

        static ChatMessage Message(string session, int i) => new() { SessionId = session, Role = "user", Text = $"m{i}", Timestamp = DateTime.UtcNow };
    }

    [Fact]
    public async Task A_commit_that_never_happened_is_reported_as_failed_and_writes_nothing_and_its_retry_lands_once()
    {
        var faults = new PostgresStore.CommitFaults();
        var (db, store) = await OpenAsync(faults);
        await using var _ = db;
        await using var __ = store;
        var breaks = 1;
        faults.BeforeCommit = () => Interlocked.Exchange(ref breaks, 0) == 1 ? throw new IOException("connection reset before COMMIT") : Task.CompletedTask;

        var failed = await Assert.ThrowsAsync<LogWriteException>(() => store.AppendAsync("m1", [Created("m1")], 0));

        Assert.Contains("try again", failed.Message);
        Assert.Empty(await store.ReadStreamAsync("m1"));
        Assert.True(await store.AppendAsync("m1", [Created("m1")], 0)); // the caller's retry: once
        Assert.Equal([1], (await store.ReadStreamAsync("m1")).Select(e => e.Seq));
    }

    [Fact]
    public async Task A_process_frozen_inside_a_commit_stops_the_others_for_at_most_the_idle_timeout_and_its_commit_is_lost_not_doubled()
    {
        var connection = await postgres.CreateDatabaseAsync();
        await using var db = PostgresServices.OpenDataSource(connection);
        await PostgresSchema.EnsureAsync(db);
        // Three silos' stores (each its own data source, as each process has), appending all along.
        var silos = new List<(NpgsqlDataSource Db, PostgresStore Store)>();
        for (var i = 0; i < 3; i++)
        {
            var source = PostgresServices.OpenDataSource(connection);
            silos.Add((source, new PostgresStore(source, NullLogger<PostgresStore>.Instance)));
        }
        var latencies = new System.Collections.Concurrent.ConcurrentBag<(TimeSpan At, TimeSpan Took)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var writing = silos.Select((silo, n) => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var at = clock.Elapsed;
                Assert.True(await silo.Store.AppendAsync($"m-{n}-{i}", [Created($"m-{n}-{i}")], 0));
                latencies.Add((at, clock.Elapsed - at));
            }
        })).ToList();
        await Eventually.WaitAsync(() => latencies.Count >= 30, TimeSpan.FromSeconds(30), "the three stores appending");

        // Another process's session (same settings) takes the commit lock, writes a line, and freezes before COMMIT.
        await using var otherProcess = PostgresServices.OpenDataSource(connection);
        await using var frozen = await otherProcess.OpenConnectionAsync();
        var frozenAt = clock.Elapsed;
        await using (var begin = new NpgsqlCommand("BEGIN; SELECT pg_advisory_xact_lock(@lock); INSERT INTO chat_messages (session_id, seq, line) VALUES ('s-frozen', 1, '{}')", frozen))
        {
            begin.Parameters.AddWithValue("lock", PostgresStore.CommitLock);
            await begin.ExecuteNonQueryAsync();
        }
        // Until the session has been ended and the stores have gone on for a while after it.
        var over = frozenAt + PostgresServices.IdleInTransaction + TimeSpan.FromSeconds(1);
        await Eventually.WaitAsync(() => latencies.Any(l => l.At >= over + TimeSpan.FromSeconds(1)), PostgresServices.IdleInTransaction + TimeSpan.FromSeconds(30),
            $"the stores to carry on after the frozen session was ended\n{string.Join(", ", latencies.OrderByDescending(l => l.Took).Take(5))}");
        stop.Cancel();
        await Task.WhenAll(writing);
        foreach (var (source, store) in silos)
        {
            await store.DisposeAsync();
            await source.DisposeAsync();
        }

        var during = latencies.Where(l => l.At >= frozenAt && l.At < frozenAt + PostgresServices.IdleInTransaction).Select(l => l.Took.TotalMilliseconds).Order().ToList();
        var after = latencies.Count(l => l.At >= over);
        var longest = latencies.Max(l => l.Took);
        output.WriteLine($"appends of 3 stores while one session was frozen inside its commit: {during.Count}, p50 {during[during.Count / 2]:F0} ms, " +
            $"p99 {during[(int)(during.Count * 0.99)]:F0} ms, longest {longest.TotalMilliseconds:F0} ms; {after} appends in the second after it was ended");
        Assert.True(longest < PostgresServices.IdleInTransaction + TimeSpan.FromSeconds(3), $"an append waited {longest}");
        Assert.True(longest >= PostgresServices.IdleInTransaction - TimeSpan.FromSeconds(2), $"the longest wait was only {longest}: the lock was not held");
        Assert.True(after > 0, "the stores carried on after the frozen session was ended");
        // The frozen one wakes to a closed session: its commit fails, and its line was never kept.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var commit = new NpgsqlCommand("COMMIT", frozen);
            await commit.ExecuteNonQueryAsync();
        });
        await using var reader = new PostgresStore(db, NullLogger<PostgresStore>.Instance);
        Assert.Empty(await reader.ReadAsync("s-frozen", 0, 10));
    }

    [Fact]
    public async Task A_schema_newer_than_the_build_is_refused_with_a_message_and_an_older_one_is_migrated_once()
    {
        var (db, store) = await OpenAsync();
        await using var _ = db;
        await store.DisposeAsync();
        await PostgresSchema.EnsureAsync(db); // again: nothing to do
        await using (var bump = db.CreateCommand($"UPDATE missions_schema SET version = {PostgresSchema.Version + 1}"))
        {
            await bump.ExecuteNonQueryAsync();
        }
        var refused = await Assert.ThrowsAsync<StoreUnavailableException>(() => PostgresSchema.EnsureAsync(db));
        Assert.Contains($"schema version {PostgresSchema.Version + 1}", refused.Message);
        Assert.Contains("newer build", refused.Message);
    }

    [Fact]
    public async Task A_store_an_older_build_made_and_wrote_is_migrated_at_start_with_its_rows_kept()
    {
        var db = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        await using var _ = db;
        await PostgresSchema.EnsureAsync(db, upTo: 1); // what the first build made: no secrets, no Data Protection keys
        await using (var older = new PostgresStore(db, NullLogger<PostgresStore>.Instance))
        {
            Assert.True(await older.AppendAsync("m-old", [Created("m-old"), Status("m-old", MissionStatus.Queued)], 0));
        }
        await using (var tables = db.CreateCommand("SELECT to_regclass('missions_secrets') IS NULL"))
        {
            Assert.True((bool)(await tables.ExecuteScalarAsync())!);
        }

        await PostgresSchema.EnsureAsync(db); // this build's start

        await using (var version = db.CreateCommand("SELECT version FROM missions_schema"))
        {
            Assert.Equal(PostgresSchema.Version, (int)(await version.ExecuteScalarAsync())!);
        }
        await using var store = new PostgresStore(db, NullLogger<PostgresStore>.Instance);
        Assert.Equal([1, 2], (await store.ReadStreamAsync("m-old")).Select(e => e.Seq));
        Assert.True(await store.AppendAsync("m-old", [Status("m-old", MissionStatus.Active)], 2));
        Assert.Equal(ServerKey.Length, PostgresServices.ServerKeyIn(db).Key.Length); // the tables version 2 added are there
    }

    [Fact]
    public async Task The_tool_call_ledger_is_shared_by_every_silo_and_goes_with_its_mission()
    {
        var connection = await postgres.CreateDatabaseAsync();
        await using var db1 = NpgsqlDataSource.Create(connection);
        await using var db2 = NpgsqlDataSource.Create(connection);
        await PostgresSchema.EnsureAsync(db1);
        var silo1 = new Missions.Research.PostgresToolCalls(db1, NullLogger<Missions.Research.PostgresToolCalls>.Instance);
        var silo2 = new Missions.Research.PostgresToolCalls(db2, NullLogger<Missions.Research.PostgresToolCalls>.Instance);
        var page = new Missions.Research.PageContent
        {
            Url = "https://example.org/a", Title = "A title", Passages = [new Missions.Research.Passage("Intro", "Some text a first attempt read.")],
        };
        var key = Missions.Research.ToolCallStore.KeyOf("m1", "http_fetch", "https://example.org/a");

        await silo1.PutAsync("m1", key, page, CancellationToken.None);
        var again = await silo2.TryGetAsync("m1", key, CancellationToken.None); // the re-run, on another silo
        Assert.Equal(page.Passages[0].Text, again?.Passages.Single().Text);
        Assert.Null(await silo2.TryGetAsync("m1", "other-key", CancellationToken.None));

        await silo2.ForgetAsync("m1");
        Assert.Null(await silo1.TryGetAsync("m1", key, CancellationToken.None));
        await silo1.PutAsync("m2", key, page, CancellationToken.None);
        Assert.Equal(0, await silo1.SweepOlderThanAsync(TimeSpan.FromHours(1)));
        Assert.Equal(1, await silo1.SweepOlderThanAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task The_server_key_is_made_once_in_the_store_and_every_process_reads_the_same()
    {
        var connection = await postgres.CreateDatabaseAsync();
        await using var first = NpgsqlDataSource.Create(connection);
        await using var second = NpgsqlDataSource.Create(connection);
        var keys = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => Missions.PostgreSql.PostgresServices.ServerKeyIn(i % 2 == 0 ? first : second).Key.ToArray())));

        Assert.Equal(32, keys[0].Length);
        Assert.All(keys, k => Assert.Equal(keys[0], k));
        var session = Ids.NewSessionId(keys[0], "p-alice");
        Assert.True(Ids.IsSessionOf(Missions.PostgreSql.PostgresServices.ServerKeyIn(second).Key, session, "p-alice")); // made by one process, recognised by another
    }
}
