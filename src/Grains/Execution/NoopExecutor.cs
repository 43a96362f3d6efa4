namespace Missions.Execution;

/// <summary>Completes at once without doing anything: for benchmarks and load tests, never the default.</summary>
public sealed class NoopExecutor : IMissionExecutor
{
    public const string ExecutorName = "noop";

    private static readonly Task<ExecutionOutcome> Done = Task.FromResult(new ExecutionOutcome
    {
        Result = new ExecutionResult { Success = true, FinalAnswer = "Nothing was done (the noop executor is configured)." },
    });

    public string Name => ExecutorName;

    public Task<ExecutionOutcome> ExecuteAsync(MissionWork work, CancellationToken cancellationToken) => Done;
}
