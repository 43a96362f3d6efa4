namespace Missions.Tests.Cluster;

/// <summary>Run on the embedded default (one silo over the logs) and in cluster mode (three silos on PostgreSQL and Redis).</summary>
public abstract class RetryScenarios(MissionClusterHost host)
{
    private MissionClusterHost Host => host;

    [Fact]
    public async Task Transient_failure_is_retried_with_backoff_until_it_succeeds()
    {
        var id = await Host.CreateAsync("flaky:2");

        var view = await Host.WaitForTerminalAsync(id);

        Assert.Equal(MissionStatus.Completed, view.Status);
        Assert.Equal(3, view.Attempt);
        Assert.Equal(3, Host.Executor.RunsOf(id));
        var retries = view.Timeline.OfType<MissionStatusUpdated>().Where(u => u.Reason == "retry_scheduled").ToList();
        Assert.Equal([2, 3], retries.Select(r => r.Attempt));
        Assert.All(retries, r => Assert.True(r.RetryAt > r.Timestamp));
        Assert.All(retries, r => Assert.Contains("HTTP 503", r.Error));
        var starts = view.Timeline.OfType<MissionStatusUpdated>().Where(u => u.Reason == "execution_started").ToList();
        // The second retry waits about twice as long as the first (0.2 s, then 0.4 s, ±20 %).
        Assert.True(starts[1].Timestamp >= retries[0].RetryAt!.Value.AddMilliseconds(-1));
        Assert.True(starts[2].Timestamp >= retries[1].RetryAt!.Value.AddMilliseconds(-1));
    }

    [Fact]
    public async Task Transient_failures_stop_at_the_attempt_limit_and_the_final_failure_says_why()
    {
        var id = await Host.CreateAsync("down");

        var view = await Host.WaitForTerminalAsync(id);

        Assert.Equal(MissionStatus.Failed, view.Status);
        Assert.Equal(3, view.Attempt);
        Assert.Equal(3, Host.Executor.RunsOf(id));
        Assert.Equal("Failed after 3 attempts: HTTP 503 Service Unavailable", view.Error);
        Assert.Single(view.Timeline, e => e is MissionStatusUpdated { Status: MissionStatus.Failed });
    }

    [Fact]
    public async Task Permanent_failure_is_not_retried()
    {
        var id = await Host.CreateAsync("fail");

        var view = await Host.WaitForTerminalAsync(id);

        Assert.Equal(MissionStatus.Failed, view.Status);
        Assert.Equal(1, view.Attempt);
        Assert.Equal(1, Host.Executor.RunsOf(id));
        Assert.DoesNotContain(view.Timeline, e => e is MissionStatusUpdated { Reason: "retry_scheduled" });
    }
}

[Collection(ClusterCollection.Name)]
public sealed class RetryTests(ClusterFixture fixture) : RetryScenarios(fixture.Host);

[Collection(StoreClusterCollection.Name)]
public sealed class RetryOnStoreTests(StoreClusterFixture fixture) : RetryScenarios(fixture.Host);
