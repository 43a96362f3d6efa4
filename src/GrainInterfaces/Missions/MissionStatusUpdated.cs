namespace Missions;

/// <summary>The mission moved to <see cref="Status"/>; a terminal update carries the result.</summary>
[GenerateSerializer, Immutable, Alias("missions.MissionStatusUpdated")]
public sealed record MissionStatusUpdated : MissionEvent
{
    public const string EventType = "mission_status_update";

    [Id(0)] public required MissionStatus Status { get; init; }

    /// <summary>Which run this is about: 1 for the first, higher after a restart or retry.</summary>
    [Id(1)] public int Attempt { get; init; }

    /// <summary>Why: <c>queued</c>, <c>execution_started</c>, <c>execution_finished</c>, <c>interrupted</c>, …</summary>
    [Id(2)] public required string Reason { get; init; }

    [Id(3)] public DateTime? CompletedAt { get; init; }
    [Id(4)] public ExecutionResult? ExecutionResult { get; init; }
    [Id(5)] public string? Error { get; init; }

    /// <summary>On <c>retry_scheduled</c>: when the next attempt may start (backoff).</summary>
    [Id(6)] public DateTime? RetryAt { get; init; }

    /// <summary>On a person's decision (<c>approved</c>, <c>rejected</c>): where it was made, <c>chat</c> or <c>api</c>.</summary>
    [Id(7)] public string? DecidedVia { get; init; }

    /// <summary>On a person's decision (approve, reject, cancel, retry): who made it (<see cref="Owners"/>).</summary>
    [Id(8)] public string? DecidedBy { get; init; }
}
