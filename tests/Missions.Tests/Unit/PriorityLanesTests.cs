namespace Missions.Tests.Unit;

public sealed class PriorityLanesTests
{
    private static readonly DateTime T0 = new(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);

    private static List<string> Drain(PriorityLanes lanes, DateTime now)
    {
        var order = new List<string>();
        while (lanes.TryTake(now, out var id))
        {
            order.Add(id);
        }
        return order;
    }

    [Fact]
    public void Priority_first_then_first_in_first_out()
    {
        var lanes = new PriorityLanes(TimeSpan.FromMinutes(10));
        lanes.Add("low1", MissionPriority.Low, T0);
        lanes.Add("normal1", MissionPriority.Normal, T0.AddSeconds(1));
        lanes.Add("high1", MissionPriority.High, T0.AddSeconds(2));
        lanes.Add("normal2", MissionPriority.Normal, T0.AddSeconds(3));
        lanes.Add("high2", MissionPriority.High, T0.AddSeconds(4));

        Assert.Equal(["high1", "high2", "normal1", "normal2", "low1"], Drain(lanes, T0.AddSeconds(5)));
    }

    [Fact]
    public void Low_priority_mission_that_waited_long_enough_is_not_starved()
    {
        var lanes = new PriorityLanes(TimeSpan.FromSeconds(30));
        lanes.Add("old-low", MissionPriority.Low, T0);
        lanes.Add("fresh-high", MissionPriority.High, T0.AddSeconds(61));

        // After 61 s a low mission has aged two levels, to high, and it has waited longer.
        Assert.True(lanes.TryTake(T0.AddSeconds(61), out var first));
        Assert.Equal("old-low", first);
    }

    [Fact]
    public void Removed_mission_is_not_taken_and_counts_drop()
    {
        var lanes = new PriorityLanes(TimeSpan.FromSeconds(30));
        lanes.Add("a", MissionPriority.Normal, T0);
        lanes.Add("b", MissionPriority.Normal, T0);

        Assert.True(lanes.Remove("a"));
        Assert.False(lanes.Remove("a"));
        Assert.Equal(1, lanes.Count);
        Assert.Equal(["b"], Drain(lanes, T0));
    }
}
