using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Missions;
using Missions.PostgreSql;
using Npgsql;

/// <summary>
/// A silo frozen inside its commit (issue 29), at the store: three stores (as three silos have), each with 8 writers
/// appending new missions all along, while another session takes the cluster-wide commit lock, writes a line and
/// freezes before COMMIT for F seconds, then wakes and tries to commit. Run twice on the same PostgreSQL: with the
/// store's session settings (<c>idle_in_transaction_session_timeout</c>, <c>lock_timeout</c>: as built) and without
/// them (the connection string's own <c>Options</c>, as before the change). Prints, for the freeze's window: appends
/// started and completed, their latency p50/p99/longest, the appends that failed (a client would get 503), and the
/// appends completed in the 2 s after the freeze ended.
/// Usage: bench/with-servers.sh dotnet run -c Release --project bench/Missions.Bench -- --freeze 30
/// </summary>
static class FreezeBench
{
    public static async Task<int> RunAsync(string admin, int freezeSeconds)
    {
        Console.WriteLine($"| sessions | freeze s | appends in the freeze | failed | p50 ms | p99 ms | longest ms | appends in the 2 s after | the frozen commit |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (name, options) in new[] { ("as built (10 s idle-in-transaction, 15 s lock wait)", (string?)null), ("without timeouts (before)", "-c statement_timeout=0") })
        {
            var database = "freeze_" + Guid.NewGuid().ToString("N")[..10];
            await using (var connection = new NpgsqlConnection(admin))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
                await create.ExecuteNonQueryAsync();
            }
            var builder = new NpgsqlConnectionStringBuilder(admin) { Database = database, MaxPoolSize = 40 };
            if (options is not null)
            {
                builder.Options = options; // the store then leaves the session's timeouts as the server has them: none
            }
            var connectionString = builder.ConnectionString;
            await using (var db = PostgresServices.OpenDataSource(connectionString))
            {
                await PostgresSchema.EnsureAsync(db);
            }
            var stores = new List<(NpgsqlDataSource Db, PostgresStore Store)>();
            for (var i = 0; i < 3; i++)
            {
                var source = PostgresServices.OpenDataSource(connectionString);
                stores.Add((source, new PostgresStore(source, NullLogger<PostgresStore>.Instance)));
            }
            var results = new ConcurrentBag<(TimeSpan At, TimeSpan Took, bool Ok)>();
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            var writers = stores.SelectMany((s, n) => Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var id = $"m-{n}-{w}-{i}";
                    var at = clock.Elapsed;
                    var ok = false;
                    try
                    {
                        ok = await s.Store.AppendAsync(id, [Created(id)], 0);
                    }
                    catch (Exception)
                    {
                        // what the web frontend answers with 503
                    }
                    results.Add((at, clock.Elapsed - at, ok));
                }
            }))).ToList();
            await Task.Delay(3000);

            await using var other = PostgresServices.OpenDataSource(connectionString);
            await using var frozen = await other.OpenConnectionAsync();
            var frozenAt = clock.Elapsed;
            await using (var begin = new NpgsqlCommand("BEGIN; SELECT pg_advisory_xact_lock(@lock); INSERT INTO chat_messages (session_id, seq, line) VALUES ('s-frozen', 1, '{}')", frozen))
            {
                begin.Parameters.AddWithValue("lock", PostgresStore.CommitLock);
                await begin.ExecuteNonQueryAsync();
            }
            await Task.Delay(TimeSpan.FromSeconds(freezeSeconds));
            var woke = clock.Elapsed;
            string commit;
            try
            {
                await using var done = new NpgsqlCommand("COMMIT", frozen);
                await done.ExecuteNonQueryAsync();
                commit = "committed when it woke";
            }
            catch (Exception ex)
            {
                commit = $"lost ({ex.GetType().Name})";
            }
            await Task.Delay(4000);
            stop.Cancel();
            await Task.WhenAll(writers);
            foreach (var (source, store) in stores)
            {
                await store.DisposeAsync();
                await source.DisposeAsync();
            }

            var during = results.Where(r => r.At >= frozenAt && r.At < woke).ToList();
            var took = during.Where(r => r.Ok).Select(r => r.Took.TotalMilliseconds).Order().ToList();
            var settled = results.Where(r => r.At >= frozenAt && r.At < woke).Select(r => r.At + r.Took).DefaultIfEmpty(woke).Max();
            var after = results.Count(r => r.Ok && r.At + r.Took >= settled && r.At + r.Took < settled + TimeSpan.FromSeconds(2));
            Console.WriteLine($"| {name} | {freezeSeconds} | {took.Count} of {during.Count} | {during.Count(r => !r.Ok)} | {P(took, 0.5)} | {P(took, 0.99)} | " +
                $"{(took.Count == 0 ? "" : took[^1].ToString("F0"))} | {after} | {commit} |");
        }
        return 0;
    }

    private static string P(List<double> sorted, double p) => sorted.Count == 0 ? "" : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))].ToString("F0");

    private static MissionEvent Created(string id) => new MissionCreated
    {
        MissionId = id, Timestamp = DateTime.UtcNow, SessionId = "s-bench",
        Objective = new Objective { Type = "research", Description = "d" }, Constraints = new MissionConstraints(), SourceMessage = "d",
    };
}
