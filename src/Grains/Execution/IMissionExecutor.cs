namespace Missions.Execution;

/// <summary>
/// Does a mission's work. When <c>cancellationToken</c> fires (time budget spent, or cancelled), an executor
/// returns promptly with what it has found so far, or throws <see cref="OperationCanceledException"/>.
/// </summary>
public interface IMissionExecutor
{
    /// <summary>The name configuration selects it by (<c>Missions:Execution:Executor</c>).</summary>
    string Name { get; }

    Task<ExecutionOutcome> ExecuteAsync(MissionWork work, CancellationToken cancellationToken);
}
