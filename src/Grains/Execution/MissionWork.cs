namespace Missions.Execution;

/// <summary>What an executor is asked to do, where it reports its progress, and why it was stopped.</summary>
public sealed record MissionWork(
    string MissionId,
    int Attempt,
    Objective Objective,
    MissionConstraints Constraints,
    IReadOnlyList<string> StartUrls,
    IExecutionProgress? Progress = null,
    Func<bool>? CancelledByRequest = null)
{
    /// <summary>When the token fired: true if a person cancelled the mission, false if its time ran out.</summary>
    public bool WasCancelledByRequest => CancelledByRequest?.Invoke() ?? false;
}
