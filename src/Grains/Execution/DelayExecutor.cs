using Microsoft.Extensions.Options;

namespace Missions.Execution;

/// <summary>
/// Takes <c>Missions:Execution:DelayMilliseconds</c> and then succeeds, honouring cancellation: a stand-in for
/// slow work in load and crash tests. Never the default.
/// </summary>
public sealed class DelayExecutor(IOptions<ExecutionOptions> options) : IMissionExecutor
{
    public const string ExecutorName = "delay";

    public string Name => ExecutorName;

    public async Task<ExecutionOutcome> ExecuteAsync(MissionWork work, CancellationToken cancellationToken)
    {
        await Task.Delay(options.Value.DelayMilliseconds, cancellationToken);
        return new ExecutionOutcome
        {
            Result = new ExecutionResult { Success = true, FinalAnswer = $"Waited {options.Value.DelayMilliseconds} ms.", ToolsUsed = ["delay"] },
        };
    }
}
