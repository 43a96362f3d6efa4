using System.Diagnostics;
using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>Cluster mode's settings checked before anything starts: a clear message and a non-zero exit, never a hang.</summary>
public sealed class ClusterSettingsTests
{
    private static async Task<(int ExitCode, string Output, TimeSpan Took)> RunSiloAsync(Dictionary<string, string> settings)
    {
        using var data = new TempDirectory();
        settings["Missions__DataDirectory"] = data.Path;
        settings["Missions__Orleans__SiloPort"] = FreePort.Next().ToString();
        settings["Missions__Orleans__GatewayPort"] = FreePort.Next().ToString();
        var clock = Stopwatch.StartNew();
        await using var silo = AppProcess.Start(RepositoryPaths.SiloDll, "silo", settings);
        await silo.WaitForExitAsync(TimeSpan.FromSeconds(45));
        return (silo.ExitCode, silo.Output, clock.Elapsed);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Username=u", 20, 5)]
    [InlineData("Host=127.0.0.1;Username=u;Maximum Pool Size=7;Timeout=9", 7, 9)]
    [InlineData("host=127.0.0.1;username=u;maxpoolsize=50", 50, 5)]
    public void A_store_connection_is_bounded_unless_the_connection_string_says_otherwise(string given, int pool, int timeout)
    {
        using var db = Missions.PostgreSql.PostgresServices.OpenDataSource(given);
        var used = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString);
        Assert.Equal(pool, used.MaxPoolSize);
        Assert.Equal(timeout, used.Timeout);
    }

    [Fact]
    public async Task Redis_without_PostgreSQL_is_refused_with_the_reason()
    {
        var (code, output, _) = await RunSiloAsync(new() { ["Missions__Cluster__Redis"] = "127.0.0.1:6379" });
        Assert.Equal(4, code);
        Assert.Contains("Missions:Store:PostgreSql is not", output);
    }

    [Fact]
    public async Task An_unreachable_store_or_Redis_is_named_with_where_and_the_process_exits_within_30_s()
    {
        var nobody = FreePort.Next();
        var (code, output, took) = await RunSiloAsync(new()
        {
            ["Missions__Cluster__Redis"] = $"127.0.0.1:{FreePort.Next()}",
            ["Missions__Store__PostgreSql"] = $"Host=127.0.0.1;Port={nobody};Username=missions;Password=secret-password;Database=missions",
        });
        Assert.Equal(4, code);
        Assert.Contains($"PostgreSQL at 127.0.0.1:{nobody}", output);
        Assert.Contains("Missions:Store:PostgreSql", output);
        Assert.DoesNotContain("secret-password", output);
        Assert.InRange(took.TotalSeconds, 0, 30);
    }
}

/// <summary>Bad credentials and an unreachable Redis, against real servers.</summary>
[Collection(ClusterServersCollection.Name)]
public sealed class ClusterServerSettingsTests(ClusterServers servers)
{
    [Fact]
    public async Task Wrong_credentials_and_an_unreachable_Redis_each_stop_the_silo_with_what_and_where()
    {
        using var data = new TempDirectory();
        var store = await servers.Postgres.CreateDatabaseAsync();
        var redisPort = FreePort.Next();
        await using var silo = AppProcess.Start(RepositoryPaths.SiloDll, "silo", new Dictionary<string, string>
        {
            ["Missions__DataDirectory"] = data.Path,
            ["Missions__Orleans__SiloPort"] = FreePort.Next().ToString(),
            ["Missions__Orleans__GatewayPort"] = FreePort.Next().ToString(),
            ["Missions__Cluster__Redis"] = $"127.0.0.1:{redisPort}",
            ["Missions__Store__PostgreSql"] = store,
        });
        await silo.WaitForExitAsync(TimeSpan.FromSeconds(45));
        Assert.Equal(4, silo.ExitCode);
        Assert.Contains($"Cannot use Redis at 127.0.0.1:{redisPort} (Missions:Cluster:Redis)", silo.Output);

        await using var wrongUser = AppProcess.Start(RepositoryPaths.SiloDll, "silo", new Dictionary<string, string>
        {
            ["Missions__DataDirectory"] = data.Path,
            ["Missions__Cluster__Redis"] = servers.Redis.ConnectionString,
            ["Missions__Store__PostgreSql"] = store.Replace("Username=postgres", "Username=nobody_here"),
        });
        await wrongUser.WaitForExitAsync(TimeSpan.FromSeconds(45));
        Assert.Equal(4, wrongUser.ExitCode);
        Assert.Contains("Cannot use PostgreSQL at 127.0.0.1", wrongUser.Output);
        Assert.Contains("nobody_here", wrongUser.Output);
    }
}
