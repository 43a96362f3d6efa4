using System.Diagnostics;
using Missions.Execution;
using Missions.Log;
using Missions.Telemetry;

namespace Missions;

/// <summary>
/// One attempt's work, off its grain's turn: the executor runs on the thread pool under the mission's budget, which
/// is a hard deadline (once the run's token has fired — time up, or a person's cancel — the executor has
/// <see cref="ExecutionOptions.StopGraceSeconds"/> to return with what it has; past that the end is reported without
/// it); its pages go to the grain as progress; its end is reported to the grain until the grain has recorded it.
/// Who records the end is the run's state (<see cref="Reporter"/>): the run itself, the activation as it shuts down,
/// or nobody (the activation went away: the mission stays active in the log and runs again).
/// </summary>
public sealed partial class MissionRun : IDisposable
{
    /// <summary>Who records the run's end.</summary>
    private enum Reporter
    {
        /// <summary>The run calls its grain back (<see cref="IMissionGrain.CompleteExecutionAsync"/>) until it lands.</summary>
        Run,

        /// <summary>The activation is shutting down and records the end itself, from <see cref="Finished"/>.</summary>
        Activation,

        /// <summary>The activation went away: nothing is recorded, the queue runs the mission again.</summary>
        Nobody,
    }

    private readonly MissionWork _work;
    private readonly IMissionExecutor _executor;
    private readonly IMissionGrain _grain;
    private readonly string? _traceParent;
    private readonly ExecutionOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _cancellation;
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private readonly TaskCompletionSource<ExecutionOutcome> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Reporter _reporter = Reporter.Run;
    private volatile bool _cancelledByPerson;

    public MissionRun(MissionState mission, int attempt, IMissionExecutor executor, IMissionGrain grain, ExecutionOptions options, ILogger logger)
    {
        _cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(mission.Constraints!.MaxDurationSeconds));
        _work = new MissionWork(mission.MissionId, attempt, mission.Objective!, mission.Constraints, mission.StartUrls, new Progress(this),
            () => _cancelledByPerson);
        _executor = executor;
        _grain = grain;
        _traceParent = mission.TraceParent;
        _options = options;
        _logger = logger;
    }

    public int Attempt => _work.Attempt;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startedAt);

    /// <summary>The executor's outcome, once it has returned (or was given up on).</summary>
    public Task<ExecutionOutcome> Finished => _finished.Task;

    /// <summary>Starts the work on the thread pool.</summary>
    public void Start() => _ = Task.Run(ExecuteAndReportAsync);

    /// <summary>A person cancelled the mission: the work stops at its next check, and its end is recorded as cancelled.</summary>
    public void Cancel()
    {
        _cancelledByPerson = true;
        _cancellation.Cancel();
    }

    /// <summary>The activation is shutting down and will record the end itself (from <see cref="Finished"/>).</summary>
    public void RecordByActivation() => _reporter = Reporter.Activation;

    /// <summary>The activation goes away mid-run: the work is stopped and its end is not recorded, so the mission runs again.</summary>
    public void Abandon()
    {
        _reporter = Reporter.Nobody;
        _cancellation.Cancel();
    }

    private async Task ExecuteAndReportAsync()
    {
        var outcome = await ExecuteAsync();
        _finished.TrySetResult(outcome);
        // The outcome is only in memory until its line is written: if that fails (a full disk), keep trying,
        // backing off, for as long as the queue's lease would wait; after that the lease runs it again.
        var giveUp = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * (_work.Constraints.MaxDurationSeconds + _options.LeaseGraceSeconds));
        for (var wait = TimeSpan.FromMilliseconds(500); _reporter == Reporter.Run; wait = Backoff.Longer(wait))
        {
            try
            {
                await _grain.CompleteExecutionAsync(Attempt, outcome);
                return;
            }
            catch (Exception ex)
            {
                LogReportFailed(_logger, ex, _work.MissionId, Attempt);
                if (Stopwatch.GetTimestamp() > giveUp)
                {
                    return;
                }
            }
            await Task.Delay(wait);
        }
    }

    private async Task<ExecutionOutcome> ExecuteAsync()
    {
        // The run is traced under the chat request that created the mission (one trace from chat to result),
        // and linked to it, though it starts later on the queue's dispatch.
        var parent = ActivityContext.TryParse(_traceParent, null, out var chat) ? chat : default;
        using var activity = MissionsTelemetry.Source.StartActivity("mission.execute", ActivityKind.Internal, parent,
            [new("mission.id", _work.MissionId), new("mission.attempt", Attempt), new("mission.executor", _executor.Name)],
            parent == default ? null : [new ActivityLink(parent)]);
        ExecutionOutcome outcome;
        using var hardStop = new CancellationTokenSource();
        var grace = TimeSpan.FromSeconds(Math.Max(0, _options.StopGraceSeconds));
        using (_cancellation.Token.Register(() => hardStop.CancelAfter(grace)))
        {
            try
            {
                outcome = await Task.Run(() => _executor.ExecuteAsync(_work, _cancellation.Token), CancellationToken.None).WaitAsync(hardStop.Token);
            }
            catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
            {
                LogUnresponsive(_logger, _work.MissionId, Attempt, grace.TotalSeconds);
                outcome = new ExecutionOutcome { Result = new ExecutionResult { Success = false }, TimedOut = true, Unresponsive = true };
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
                outcome = new ExecutionOutcome { Result = new ExecutionResult { Success = false }, TimedOut = true };
            }
            catch (Exception ex)
            {
                LogExecutorFailed(_logger, ex, _work.MissionId, Attempt);
                outcome = new ExecutionOutcome { Result = new ExecutionResult { Success = false }, Error = $"The executor failed: {ex.Message}" };
            }
        }
        if (_cancelledByPerson)
        {
            outcome = outcome with { Cancelled = true, TimedOut = false };
        }
        else if (_cancellation.IsCancellationRequested && !outcome.Cancelled)
        {
            outcome = outcome with { TimedOut = true };
        }
        activity?.SetTag("mission.outcome", outcome switch { { Cancelled: true } => "cancelled", { TimedOut: true } => "timed_out", { Result.Success: true } => "completed", _ => "failed" });
        return outcome;
    }

    /// <summary>Reports the run's pages to the grain, off the run's path: never for long, never once the run no longer reports.</summary>
    private sealed class Progress(MissionRun run) : IExecutionProgress
    {
        public async Task PageReadAsync(int pagesRead, ToolCall toolCall)
        {
            if (run._reporter == Reporter.Run)
            {
                await run._grain.RecordProgressAsync(run.Attempt, pagesRead, toolCall).WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
    }

    public void Dispose() => _cancellation.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mission {MissionId} attempt {Attempt}: its executor did not stop {GraceSeconds} s after its token fired; the run is abandoned and its end recorded")]
    private static partial void LogUnresponsive(ILogger logger, string missionId, int attempt, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "The executor of mission {MissionId} attempt {Attempt} threw")]
    private static partial void LogExecutorFailed(ILogger logger, Exception ex, string missionId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mission {MissionId} attempt {Attempt} could not record its end yet; trying again")]
    private static partial void LogReportFailed(ILogger logger, Exception ex, string missionId, int attempt);
}
