using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>One cluster for the whole collection (a cluster costs seconds to start on two cores).</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public MissionClusterHost Host { get; private set; } = null!;

    public string DataDirectory => _data.Path;

    public async Task InitializeAsync() => Host = await MissionClusterHost.StartAsync(_data.Path);

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
