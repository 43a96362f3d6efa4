using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Missions.PostgreSql;

/// <summary>Cluster mode's store in a process: the silo's (the stores its grains write) and the web frontend's (its mirror).</summary>
public static class PostgresServices
{
    /// <summary>The configuration key of the store's connection string.</summary>
    public const string Setting = "Missions:Store:PostgreSql";

    /// <summary>How long a session may sit in an open transaction without a statement before the server ends it.</summary>
    public static readonly TimeSpan IdleInTransaction = TimeSpan.FromSeconds(10);

    /// <summary>How long a statement waits for a lock (the commit lock) before it fails.</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(15);

    /// <summary>Connections a process keeps to the store at most, unless the connection string says otherwise.</summary>
    public const int DefaultMaxPoolSize = 20;

    /// <summary>
    /// A data source for a connection string; unless it says otherwise, a connection attempt gives up after 5 s and
    /// the pool holds at most <see cref="DefaultMaxPoolSize"/> connections. (Npgsql's own default, 100 a pool, is
    /// PostgreSQL's default <c>max_connections</c>: one busy process could take them all and a second silo, web
    /// frontend or administrator be refused. Writes are group-committed on one connection and reads are short, so a
    /// burst of activations waits its turn for a connection instead.)
    /// </summary>
    public static NpgsqlDataSource OpenDataSource(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Timeout"))
        {
            builder.Timeout = 5;
        }
        if (!given.ContainsKey("Maximum Pool Size") && !given.ContainsKey("Max Pool Size") && !given.ContainsKey("MaxPoolSize"))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }
        builder.ApplicationName ??= "missions";
        // A process frozen (SIGSTOP, a long pause, a VM migration) or cut off inside a commit holds the store's commit
        // lock: the server ends such a session after IdleInTransaction and its transaction rolls back, so the other
        // processes wait at most that long (they wait up to LockWait for the lock, a little longer, then fail cleanly).
        if (!given.ContainsKey("Options"))
        {
            builder.Options = $"-c idle_in_transaction_session_timeout={(int)IdleInTransaction.TotalMilliseconds} -c lock_timeout={(int)LockWait.TotalMilliseconds}";
        }
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <summary>The grains' stores on PostgreSQL (replacing the embedded logs as <see cref="IMissionStore"/> and <see cref="IChatStore"/>).</summary>
    public static IServiceCollection AddPostgresStore(this IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton(_ => OpenDataSource(connectionString));
        services.AddSingleton<PostgresStore>();
        services.AddSingleton<IMissionStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IChatStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IWrittenLog>(sp => sp.GetRequiredService<PostgresStore>());
        services.TryAddSingleton<LogHealth>();
        return services;
    }

    /// <summary>
    /// The deployment's <see cref="ServerKey"/> in the store, shared by every silo and web frontend: inserted by the
    /// first process that needs it, read by all. (Before <see cref="ServerKeyServices.AddServerKey"/>, which then keeps it.)
    /// </summary>
    public static IServiceCollection AddServerKeyInStore(this IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton(_ => OpenDataSource(connectionString));
        services.TryAddSingleton(sp => ServerKeyIn(sp.GetRequiredService<NpgsqlDataSource>()));
        return services;
    }

    /// <summary>The deployment's key in the store's <c>missions_secrets</c> (see <see cref="AddServerKeyInStore"/>).</summary>
    public static ServerKey ServerKeyIn(NpgsqlDataSource db) => ServerKey.LoadedBy(() =>
    {
        PostgresSchema.EnsureAsync(db).GetAwaiter().GetResult();
        using var command = db.CreateCommand(
            "INSERT INTO missions_secrets (name, value) VALUES ('ids', @value) ON CONFLICT (name) DO NOTHING; SELECT value FROM missions_secrets WHERE name = 'ids'");
        command.Parameters.AddWithValue("value", System.Security.Cryptography.RandomNumberGenerator.GetBytes(ServerKey.Length));
        return (byte[])command.ExecuteScalar()!;
    });

    /// <summary>A web frontend's mirror of the store into its own logs (which must be registered too).</summary>
    public static IServiceCollection AddStoreMirror(this IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton(_ => OpenDataSource(connectionString));
        services.AddSingleton<StoreMirror>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreMirror>());
        return services;
    }
}
