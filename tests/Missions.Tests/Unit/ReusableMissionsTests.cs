namespace Missions.Tests.Unit;

public sealed class ReusableMissionsTests
{
    private static readonly DateTime T0 = new(2026, 11, 29, 9, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_mission_is_kept_while_running_and_for_the_window_after_it_ended()
    {
        var meanings = new ReusableMissions();
        meanings.Started("research|x", "m1");

        meanings.ForgetEndedBefore(T0.AddHours(1));
        Assert.True(meanings.TryGet("research|x", out var running));
        Assert.Equal("m1", running);

        meanings.Ended("m1", T0);
        meanings.ForgetEndedBefore(T0); // ended exactly at the cut-off: still fresh
        Assert.True(meanings.TryGet("research|x", out _));

        meanings.ForgetEndedBefore(T0.AddTicks(1));
        Assert.False(meanings.TryGet("research|x", out _));
    }

    [Fact]
    public void A_mission_run_again_is_kept_until_its_last_end_is_old()
    {
        var meanings = new ReusableMissions();
        meanings.Started("a", "m1");
        meanings.Ended("m1", T0);
        meanings.Started("a", "m1"); // joined again after a retry
        meanings.Ended("m1", T0.AddMinutes(5));

        meanings.ForgetEndedBefore(T0.AddMinutes(1));
        Assert.True(meanings.TryGet("a", out _));

        meanings.ForgetEndedBefore(T0.AddMinutes(6));
        Assert.False(meanings.TryGet("a", out _));
    }

    [Fact]
    public void Forgetting_an_old_mission_keeps_the_newer_one_with_the_same_meaning()
    {
        var meanings = new ReusableMissions();
        meanings.Started("a", "m1");
        meanings.Started("a", "m2"); // m1 failed; the request started m2
        meanings.Ended("m1", T0);

        meanings.ForgetEndedBefore(T0.AddMinutes(1));

        Assert.True(meanings.TryGet("a", out var current));
        Assert.Equal("m2", current);
    }

    [Fact]
    public void An_end_for_a_mission_never_started_here_is_ignored()
    {
        var meanings = new ReusableMissions();
        meanings.Ended("elsewhere", T0);
        meanings.Started("a", "m1");

        meanings.ForgetEndedBefore(T0.AddMinutes(1));

        Assert.True(meanings.TryGet("a", out _));
    }
}
