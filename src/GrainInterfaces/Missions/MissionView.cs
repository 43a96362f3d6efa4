namespace Missions;

/// <summary>A mission as the whiteboard shows it: its state and its full timeline.</summary>
[GenerateSerializer, Immutable, Alias("missions.MissionView")]
public sealed record MissionView
{
    [Id(0)] public required string MissionId { get; init; }
    [Id(1)] public required MissionStatus Status { get; init; }
    [Id(2)] public Objective? Objective { get; init; }
    [Id(3)] public MissionConstraints? Constraints { get; init; }
    /// <summary>The session that created it; left out where the view is shown to others (see the whiteboard API).</summary>
    [Id(4)] public string? SessionId { get; init; }
    [Id(5)] public DateTime? CreatedAt { get; init; }
    [Id(6)] public DateTime? StartTime { get; init; }
    [Id(7)] public DateTime? EndTime { get; init; }
    [Id(8)] public int Attempt { get; init; }
    [Id(9)] public ExecutionResult? ExecutionResult { get; init; }
    [Id(10)] public string? Error { get; init; }
    [Id(11)] public IReadOnlyList<string> StartUrls { get; init; } = [];
    [Id(12)] public string SourceMessage { get; init; } = "";
    [Id(13)] public IReadOnlyList<MissionEvent> Timeline { get; init; } = [];
    [Id(14)] public MissionPriority Priority { get; init; } = MissionPriority.Normal;
    [Id(15)] public int CacheHits { get; init; }

    /// <summary>The trace id of the chat request that created the mission.</summary>
    [Id(16)] public string? TraceId { get; init; }

    /// <summary>Pages the latest attempt has read so far.</summary>
    [Id(17)] public int PagesRead { get; init; }

    /// <summary>Read from the archive: it ended longer ago than the live logs keep (<c>Missions:Retention</c>).</summary>
    [Id(18)] public bool Archived { get; init; }

    public static MissionView From(MissionState state, IReadOnlyList<MissionEvent> timeline) => new()
    {
        MissionId = state.MissionId,
        Status = state.Status,
        Objective = state.Objective,
        Constraints = state.Constraints,
        SessionId = state.SessionId,
        CreatedAt = state.CreatedAt,
        StartTime = state.StartTime,
        EndTime = state.EndTime,
        Attempt = state.Attempt,
        ExecutionResult = state.ExecutionResult,
        Error = state.Error,
        StartUrls = state.StartUrls,
        SourceMessage = state.SourceMessage,
        Timeline = timeline,
        Priority = state.Priority,
        CacheHits = state.CacheHits,
        TraceId = state.TraceId,
        PagesRead = state.PagesRead,
    };

    /// <summary>Builds the view of a mission from its events, as read from the log.</summary>
    public static MissionView FromEvents(IReadOnlyList<MissionEvent> events) => From(MissionState.Fold(events), events);
}
