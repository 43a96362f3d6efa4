namespace Missions.Signals;

/// <summary>One line of <c>learning_signals.jsonl</c>: what was proposed, and how it went.</summary>
public sealed record LearningSignal
{
    public const string MissionProposed = "mission_proposed";
    public const string MissionExecuted = "mission_executed";

    /// <summary>A person approved a proposal.</summary>
    public const string MissionApproved = "mission_approved";

    /// <summary>A proposal was turned down: by a person, or by nobody deciding in time (<see cref="DecidedVia"/> <c>expired</c>).</summary>
    public const string MissionRejected = "mission_rejected";

    public required string SignalType { get; init; }
    public required string MissionId { get; init; }
    public required DateTime Timestamp { get; init; }
    public string? SessionId { get; init; }
    public string? ObjectiveType { get; init; }
    public MissionStatus? Status { get; init; }
    public bool? Success { get; init; }
    public int? Attempt { get; init; }
    public long? DurationMs { get; init; }
    public IReadOnlyList<string>? ToolsUsed { get; init; }

    /// <summary>On a decision: how long the proposal waited for it.</summary>
    public long? WaitedMs { get; init; }

    /// <summary>On a decision: <c>chat</c>, <c>api</c> or <c>expired</c>.</summary>
    public string? DecidedVia { get; init; }
}
