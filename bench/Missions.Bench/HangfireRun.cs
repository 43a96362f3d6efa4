using System.Diagnostics;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage;

/// <summary>The peer a .NET user would pick: N no-op jobs enqueued by P producers, until every one succeeded.</summary>
public static class HangfireRun
{
    /// <summary>Workers of the Hangfire server: as many as the producers, so neither side waits on the other.</summary>
    public const int Workers = 64;

    private static int _retriedEnqueues;

    /// <summary>Enqueues that failed and were tried again, over all runs.</summary>
    public static int RetriedEnqueues => Volatile.Read(ref _retriedEnqueues);

    public static JobStorage PostgreSql(string connectionString) =>
        new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, new PostgreSqlStorageOptions()),
            new PostgreSqlStorageOptions { QueuePollInterval = TimeSpan.FromMilliseconds(50), PrepareSchemaIfNecessary = true, SchemaName = "hangfire_" + Guid.NewGuid().ToString("N")[..8] });

    public static double Measure(JobStorage storage, int n, int producers)
    {
        NoopJob.Reset();
        using var server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = Workers, ServerName = "bench-" + Guid.NewGuid().ToString("N")[..6] }, storage);
        var client = new BackgroundJobClient(storage);
        var clock = Stopwatch.StartNew();
        var next = -1;
        Task.WaitAll(Enumerable.Range(0, producers).Select(_ => Task.Run(() =>
        {
            while (Interlocked.Increment(ref next) < n)
            {
                // Concurrent enqueues on PostgreSQL now and then fail (a deadlock between Hangfire's own
                // transactions); a user would try again, so the benchmark does, and counts it.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        client.Enqueue(() => NoopJob.Run());
                        break;
                    }
                    catch (BackgroundJobClientException) when (attempt < 5)
                    {
                        Interlocked.Increment(ref _retriedEnqueues);
                    }
                }
            }
        })).ToArray());
        while (NoopJob.Done < n && clock.Elapsed < TimeSpan.FromMinutes(10))
        {
            Thread.Sleep(5);
        }
        var rate = n / clock.Elapsed.TotalSeconds;
        server.SendStop();
        return rate;
    }
}

public static class NoopJob
{
    private static int _done;

    public static int Done => Volatile.Read(ref _done);

    public static void Reset() => Interlocked.Exchange(ref _done, 0);

    public static void Run() => Interlocked.Increment(ref _done);
}
