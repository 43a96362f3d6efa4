using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Missions.Log.PostgreSql;

/// <summary>Cluster mode's store in a process: the silo's (the stores its grains write) and the web frontend's (its mirror).</summary>
public static class PostgresServices
{
    /// <summary>The configuration key of the store's connection string.</summary>
    public const string Setting = "Missions:Store:PostgreSql";

    /// <summary>A data source for a connection string; unless it says otherwise, a connection attempt gives up after 5 s.</summary>
    public static NpgsqlDataSource OpenDataSource(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Timeout"))
        {
            builder.Timeout = 5;
        }
        builder.ApplicationName ??= "missions";
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

    /// <summary>A web frontend's mirror of the store into its own logs (which must be registered too).</summary>
    public static IServiceCollection AddStoreMirror(this IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton(_ => OpenDataSource(connectionString));
        services.AddSingleton<StoreMirror>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreMirror>());
        return services;
    }
}
