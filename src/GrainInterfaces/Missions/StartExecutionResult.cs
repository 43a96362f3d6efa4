namespace Missions;

/// <summary>What a mission did when the queue asked it to start, and how long the queue should wait for its end.</summary>
[GenerateSerializer, Immutable, Alias("missions.StartExecution")]
public sealed record StartExecution
{
    [Id(0)] public required StartExecutionResult Result { get; init; }

    /// <summary>The mission's own time budget: past it (plus a grace period) the queue assumes the run was lost.</summary>
    [Id(1)] public int BudgetSeconds { get; init; }
}

/// <summary>What a mission did when the queue asked it to start.</summary>
[GenerateSerializer, Alias("missions.StartExecutionResult")]
public enum StartExecutionResult
{
    /// <summary>The work started; the mission will call the queue back when it ends.</summary>
    Started,

    /// <summary>The mission is running already (in this activation); nothing new was started.</summary>
    AlreadyRunning,

    /// <summary>The mission is terminal or does not exist; the queue drops it.</summary>
    NotRunnable,
}
