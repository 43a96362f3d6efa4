namespace Missions.Chat;

/// <summary>A mission ended: what its session is told.</summary>
[GenerateSerializer, Immutable, Alias("missions.MissionOutcomeNotice")]
public sealed record MissionOutcomeNotice
{
    [Id(0)] public required string MissionId { get; init; }
    [Id(1)] public required MissionStatus Status { get; init; }
    [Id(2)] public required int Attempt { get; init; }
    [Id(3)] public required string Text { get; init; }

    /// <summary>The chat's words for a mission's end: its status, why when it did not complete, and the start of its answer.</summary>
    public static MissionOutcomeNotice Of(string missionId, MissionStatus status, int attempt, ExecutionResult? result, string? error)
    {
        var head = $"Mission {missionId} {status.ToWireName().Replace('_', ' ')}";
        var answer = result?.FinalAnswer ?? "";
        var body = answer.Length > 1500 ? answer[..1500] + "…" : answer;
        var text = status switch
        {
            MissionStatus.Completed => $"{head}.\n\n{body}",
            _ when body.Length > 0 => $"{head}: {error}\n\n{body}",
            _ => $"{head}: {error}",
        };
        return new MissionOutcomeNotice { MissionId = missionId, Status = status, Attempt = attempt, Text = text };
    }
}
