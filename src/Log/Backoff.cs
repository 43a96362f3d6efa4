namespace Missions.Log;

/// <summary>How long to wait before trying again: doubling from a first wait up to a ceiling, with jitter for retries that many make at once.</summary>
public static class Backoff
{
    /// <summary>The wait after <paramref name="wait"/>: twice as long, at most <paramref name="ceiling"/> (10 s when not given).</summary>
    public static TimeSpan Longer(TimeSpan wait, TimeSpan? ceiling = null) =>
        TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, (ceiling ?? TimeSpan.FromSeconds(10)).Ticks));

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first): <paramref name="first"/> doubled each time, ±20 % jitter.</summary>
    public static TimeSpan ForRetry(TimeSpan first, int retry) =>
        first * Math.Pow(2, retry - 1) * (0.8 + Random.Shared.NextDouble() * 0.4);
}
