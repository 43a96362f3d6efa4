namespace Missions.Signals;

/// <summary>One line of <c>learning_signals.jsonl</c>: what was proposed, and how it went.</summary>
public sealed record LearningSignal
{
    public const string MissionProposed = "mission_proposed";
    public const string MissionExecuted = "mission_executed";

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
}
