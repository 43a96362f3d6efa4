using Missions.PostgreSql;
using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>Cluster mode at grain level, for the whole collection: three in-process silos on a private PostgreSQL, reminders on a private Redis.</summary>
public sealed class StoreClusterFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly PostgresServer _postgres = new();
    private readonly RedisServer _redis = new();

    public MissionClusterHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        try
        {
            await Task.WhenAll(_postgres.InitializeAsync(), _redis.InitializeAsync());
        }
        catch
        {
            // xunit does not dispose a fixture whose start failed: the server that did start must not outlive the run.
            await Task.WhenAll(_postgres.DisposeAsync(), _redis.DisposeAsync());
            throw;
        }
        var store = await _postgres.CreateDatabaseAsync();
        await using (var db = PostgresServices.OpenDataSource(store))
        {
            await PostgresSchema.EnsureAsync(db);
        }
        Host = await MissionClusterHost.StartAsync(_data.Path, store: new MissionClusterHost.StoreServers(store, _redis.ConnectionString, Silos: 3));
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        await Task.WhenAll(_postgres.DisposeAsync(), _redis.DisposeAsync());
        _data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class StoreClusterCollection : ICollectionFixture<StoreClusterFixture>
{
    public const string Name = "cluster on the store";
}
