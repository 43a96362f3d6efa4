namespace Missions.Execution;

/// <summary>What an executor is asked to do, and where it reports its progress.</summary>
public sealed record MissionWork(
    string MissionId,
    int Attempt,
    Objective Objective,
    MissionConstraints Constraints,
    IReadOnlyList<string> StartUrls,
    IExecutionProgress? Progress = null);
