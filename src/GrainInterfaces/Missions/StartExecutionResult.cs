namespace Missions;

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
