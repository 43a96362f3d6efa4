using Microsoft.Extensions.Configuration;
using Missions.PostgreSql;
using Npgsql;
using StackExchange.Redis;

namespace Missions.Hosting;

/// <summary>
/// What cluster mode needs, checked before anything starts: a wrong setting, an unreachable server or refused
/// credentials is one message naming what and where, and the process exits (within 30 s) instead of hanging.
/// </summary>
public static class ClusterPreflight
{
    public const string RedisWithoutStore =
        "Missions:Cluster:Redis is set but Missions:Store:PostgreSql is not: the silos of a cluster share one store, and " +
        "each keeping a log of its own would split the missions between them. Set both (see README, \"Running a cluster\"), or neither for one process.";

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(25);

    /// <summary>Redis options for a connection string: fail fast at first, reconnect for ever after.</summary>
    public static ConfigurationOptions RedisOptions(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 5_000);
        return options;
    }

    /// <summary>Null when the settings can be used; otherwise what is wrong, for a person.</summary>
    public static async Task<string?> CheckAsync(IConfiguration configuration)
    {
        var redis = configuration.ClusterRedis();
        var store = configuration.StorePostgreSql();
        if (redis is not null && store is null)
        {
            return RedisWithoutStore;
        }
        using var timeout = new CancellationTokenSource(Limit);
        if (store is not null && await CheckStoreAsync(store, timeout.Token) is { } storeProblem)
        {
            return storeProblem;
        }
        if (redis is not null && await CheckRedisAsync(redis, timeout.Token) is { } redisProblem)
        {
            return redisProblem;
        }
        return null;
    }

    private static async Task<string?> CheckStoreAsync(string connectionString, CancellationToken cancellationToken)
    {
        NpgsqlDataSource db;
        try
        {
            db = PostgresServices.OpenDataSource(connectionString);
        }
        catch (ArgumentException ex)
        {
            return $"{PostgresServices.Setting} is not a PostgreSQL connection string: {ex.Message}";
        }
        await using (db)
        {
            try
            {
                await PostgresSchema.EnsureAsync(db, cancellationToken: cancellationToken).WaitAsync(cancellationToken);
                return null;
            }
            catch (StoreUnavailableException ex)
            {
                return ex.Message;
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
            {
                var reason = ex is OperationCanceledException ? $"no answer within {Limit.TotalSeconds:0} s" : ex.Message;
                return $"Cannot use {PostgresStore.Describe(db)} ({PostgresServices.Setting}): {reason}";
            }
        }
    }

    private static async Task<string?> CheckRedisAsync(string connectionString, CancellationToken cancellationToken)
    {
        ConfigurationOptions options;
        try
        {
            options = RedisOptions(connectionString);
        }
        catch (ArgumentException ex)
        {
            return $"{MissionsClusteringExtensions.RedisSetting} is not a Redis connection string: {ex.Message}";
        }
        options.AbortOnConnectFail = true;
        var where = string.Join(", ", options.EndPoints.Select(e => e.ToString()));
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken);
            await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken);
            return null;
        }
        catch (Exception ex) when (ex is RedisException or OperationCanceledException or TimeoutException)
        {
            var reason = ex is OperationCanceledException ? $"no answer within {Limit.TotalSeconds:0} s" : ex.Message;
            return $"Cannot use Redis at {where} ({MissionsClusteringExtensions.RedisSetting}): {reason}";
        }
    }
}
