namespace Missions;

/// <summary>
/// The fold of a mission's events. One <c>Apply</c> per event; the grain and the whiteboard use the same fold,
/// so what the whiteboard shows is exactly what the grain believes.
/// </summary>
[GenerateSerializer, Alias("missions.MissionState")]
public sealed class MissionState : IEventFold<MissionEvent>
{
    [Id(0)] public string MissionId { get; set; } = "";
    [Id(1)] public string SessionId { get; set; } = "";
    [Id(2)] public Objective? Objective { get; set; }
    [Id(3)] public MissionConstraints? Constraints { get; set; }
    [Id(4)] public IReadOnlyList<string> StartUrls { get; set; } = [];
    [Id(5)] public string SourceMessage { get; set; } = "";
    [Id(6)] public string? ClientMessageId { get; set; }
    [Id(7)] public MissionStatus Status { get; set; } = MissionStatus.Proposed;
    [Id(8)] public int Attempt { get; set; }
    [Id(9)] public DateTime? CreatedAt { get; set; }
    [Id(10)] public DateTime? StartTime { get; set; }
    [Id(11)] public DateTime? EndTime { get; set; }
    [Id(12)] public ExecutionResult? ExecutionResult { get; set; }
    [Id(13)] public string? Error { get; set; }
    [Id(14)] public int Version { get; set; }

    /// <summary>How many runs have started; the next run is attempt <c>RunsStarted + 1</c>.</summary>
    [Id(16)] public int RunsStarted { get; set; }

    [Id(17)] public MissionPriority Priority { get; set; } = MissionPriority.Normal;

    /// <summary>Requests answered from this mission's result instead of running again.</summary>
    [Id(18)] public int CacheHits { get; set; }

    [Id(19)] public string? TraceParent { get; set; }
    [Id(20)] public string? TraceId { get; set; }

    /// <summary>Pages the latest attempt has read so far (from its progress lines).</summary>
    [Id(21)] public int PagesRead { get; set; }

    /// <summary>The first attempt since the mission was created or a person asked to retry it: runs from here on
    /// count towards the automatic limit (<c>MaxAttempts</c>).</summary>
    [Id(22)] public int FirstAutomaticAttempt { get; set; } = 1;

    /// <summary>Runs since <see cref="FirstAutomaticAttempt"/> that were cut off before they recorded an end (a crash, a kill).</summary>
    [Id(23)] public int InterruptedRuns { get; set; }

    /// <summary>The schedule whose firing made this mission, if one did.</summary>
    [Id(24)] public string? ScheduleId { get; set; }

    /// <summary>True once <see cref="MissionCreated"/> has been applied.</summary>
    public bool Exists => CreatedAt is not null;

    public void Apply(MissionEvent e)
    {
        switch (e)
        {
            case MissionCreated created: Apply(created); break;
            case MissionStatusUpdated update: Apply(update); break;
            case MissionReused reused: Apply(reused); break;
            case MissionProgress progress: Apply(progress); break;
            case MissionRevised revised: Apply(revised); break;
            case ScheduleEvent: Version++; break; // a schedule's stream: no mission there
            case UnknownEvent: Version++; break; // a newer build's line: its place counts, its meaning is not known here
            default: throw new ArgumentException($"Unknown mission event {e.GetType().Name}", nameof(e));
        }
    }

    public void Apply(MissionCreated e)
    {
        MissionId = e.MissionId;
        SessionId = e.SessionId;
        Objective = e.Objective;
        Constraints = e.Constraints;
        StartUrls = e.StartUrls;
        SourceMessage = e.SourceMessage;
        ClientMessageId = e.ClientMessageId;
        Priority = e.Priority;
        TraceParent = e.TraceParent;
        TraceId = e.TraceId;
        ScheduleId = e.ScheduleId;
        Status = MissionStatus.Proposed;
        CreatedAt = e.Timestamp;
        Version++;
    }

    public void Apply(MissionStatusUpdated e)
    {
        Status = e.Status;
        Attempt = Math.Max(Attempt, e.Attempt);
        if (e.Reason == MissionReasons.RetryRequested)
        {
            FirstAutomaticAttempt = e.Attempt;
            InterruptedRuns = 0;
        }
        else if (e.Reason == MissionReasons.Interrupted)
        {
            InterruptedRuns++;
        }
        if (e.Status == MissionStatus.Active)
        {
            RunsStarted = Math.Max(RunsStarted, e.Attempt);
            StartTime = e.Timestamp;
            PagesRead = 0;
            EndTime = null;
        }
        if (e.Status.IsTerminal())
        {
            EndTime = e.CompletedAt ?? e.Timestamp;
            ExecutionResult = e.ExecutionResult;
            Error = e.Error;
        }
        Version++;
    }

    public void Apply(MissionReused e)
    {
        CacheHits++;
        Version++;
    }

    public void Apply(MissionProgress e)
    {
        if (e.Attempt == RunsStarted)
        {
            PagesRead = Math.Max(PagesRead, e.PagesRead);
        }
        Version++;
    }

    public void Apply(MissionRevised e)
    {
        Constraints = e.Constraints;
        StartUrls = e.StartUrls;
        Priority = e.Priority;
        Version++;
    }

    /// <summary>Folds a mission's events, in order, into its state.</summary>
    public static MissionState Fold(IEnumerable<MissionEvent> events) => EventFold.Of<MissionState, MissionEvent>(events);
}
