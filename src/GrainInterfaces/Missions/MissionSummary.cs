namespace Missions;

/// <summary>A mission as a card in the whiteboard's list. It names no session: the list is everyone's, a session id is its holder's.</summary>
public sealed record MissionSummary
{
    public required string MissionId { get; init; }
    public required MissionStatus Status { get; init; }
    public Objective? Objective { get; init; }
    public DateTime? CreatedAt { get; init; }
    public DateTime? StartTime { get; init; }
    public DateTime? EndTime { get; init; }
    public int Attempt { get; init; }
    public MissionPriority Priority { get; init; } = MissionPriority.Normal;
    public int CacheHits { get; init; }

    /// <summary>Pages the latest attempt has read so far.</summary>
    public int PagesRead { get; init; }

    /// <summary>The mission's page budget.</summary>
    public int MaxPages { get; init; }

    /// <summary>The start of the answer (its lead sentences), for the card.</summary>
    public string? Answer { get; init; }

    public static MissionSummary From(MissionState s) => new()
    {
        MissionId = s.MissionId,
        Status = s.Status,
        Objective = s.Objective,
        CreatedAt = s.CreatedAt,
        StartTime = s.StartTime,
        EndTime = s.EndTime,
        Attempt = s.Attempt,
        Priority = s.Priority,
        CacheHits = s.CacheHits,
        PagesRead = s.PagesRead,
        MaxPages = s.Constraints?.MaxPages ?? 0,
        Answer = s.ExecutionResult?.Answer is { } answer ? (answer.Length > 240 ? answer[..240] + "…" : answer) : null,
    };
}
