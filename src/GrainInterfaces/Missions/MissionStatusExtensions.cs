namespace Missions;

public static class MissionStatusExtensions
{
    /// <summary>A terminal mission never runs again.</summary>
    public static bool IsTerminal(this MissionStatus status) =>
        status is MissionStatus.Completed or MissionStatus.Failed or MissionStatus.Cancelled or MissionStatus.TimedOut;

    /// <summary>A person may run the mission again (it ended without completing).</summary>
    public static bool IsRetryable(this MissionStatus status) =>
        status is MissionStatus.Failed or MissionStatus.TimedOut or MissionStatus.Cancelled;

    /// <summary>The wire name of a status (the same as in the log), e.g. <c>timed_out</c>.</summary>
    public static string ToWireName(this MissionStatus status) => status switch
    {
        MissionStatus.Proposed => "proposed",
        MissionStatus.Queued => "queued",
        MissionStatus.Active => "active",
        MissionStatus.Completed => "completed",
        MissionStatus.Failed => "failed",
        MissionStatus.Cancelled => "cancelled",
        MissionStatus.TimedOut => "timed_out",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryParseWireName(string? value, out MissionStatus status)
    {
        foreach (var candidate in Enum.GetValues<MissionStatus>())
        {
            if (string.Equals(candidate.ToWireName(), value, StringComparison.OrdinalIgnoreCase))
            {
                status = candidate;
                return true;
            }
        }
        status = default;
        return false;
    }
}
