using System.Collections.Concurrent;
using Missions.Execution;

namespace Missions.Tests.Support;

/// <summary>
/// An executor the tests steer through the first word of the objective's description: <c>ok</c> completes, <c>fail</c> fails,
/// <c>hang</c> runs until cancelled (then returns a partial result), <c>gate:NAME</c> waits until the test opens
/// gate NAME, <c>sleep:MS</c> takes MS milliseconds, <c>flaky:N</c> fails transiently on its first N attempts,
/// <c>down</c> always fails transiently, <c>stuck</c> blocks its thread for 20 s and ignores its token (work that cannot
/// be interrupted), <c>answer:NAME</c> completes with the answer the test keeps under NAME. It records every run, in start order.
/// </summary>
public sealed class ScriptedExecutor : IMissionExecutor
{
    public const string ExecutorName = "scripted";

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
    private int _running;
    private int _maxRunning;

    public string Name => ExecutorName;

    public ConcurrentQueue<(string MissionId, int Attempt)> Runs { get; } = new();

    /// <summary>What <c>answer:NAME</c> answers (a schedule's runs compare it): set by the test, "Nothing new." until then.</summary>
    public ConcurrentDictionary<string, string> Answers { get; } = new();

    public int MaxConcurrent => Volatile.Read(ref _maxRunning);

    public int RunsOf(string missionId) => Runs.Count(r => r.MissionId == missionId);

    public void Open(string gate) => Gate(gate).TrySetResult();

    public void ResetMaxConcurrent() => Interlocked.Exchange(ref _maxRunning, 0);

    private TaskCompletionSource Gate(string name) =>
        _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public async Task<ExecutionOutcome> ExecuteAsync(MissionWork work, CancellationToken cancellationToken)
    {
        Runs.Enqueue((work.MissionId, work.Attempt));
        if (work.Objective.Description == "stuck")
        {
            // Not counted as running: its slot is freed while its thread goes on (that is the point).
            var until = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < until)
            {
                Thread.Sleep(50); // deaf to the token, as a runaway parser would be
            }
            return Outcome(success: true, "stuck, at last", pages: 1);
        }
        var now = Interlocked.Increment(ref _running);
        int seen;
        while ((seen = Volatile.Read(ref _maxRunning)) < now && Interlocked.CompareExchange(ref _maxRunning, now, seen) != seen)
        {
        }
        try
        {
            // The first word is the script, so a chat message can carry one ("gate:x research on example.org").
            var script = work.Objective.Description.Split(' ', 2)[0];
            if (script.StartsWith("gate:", StringComparison.Ordinal))
            {
                await Gate(script["gate:".Length..]).Task.WaitAsync(cancellationToken);
            }
            else if (script.StartsWith("sleep:", StringComparison.Ordinal))
            {
                await Task.Delay(int.Parse(script["sleep:".Length..]), cancellationToken);
            }
            else if (script == "hang")
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return Outcome(success: false, "partial: read 1 page before the budget ran out", pages: 1);
                }
            }
            else if (script.StartsWith("answer:", StringComparison.Ordinal))
            {
                return Outcome(success: true, Answers.GetValueOrDefault(script["answer:".Length..], "Nothing new."), pages: 1);
            }
            else if (script == "fail")
            {
                return Outcome(success: false, "", pages: 0) with { Error = "scripted failure" };
            }
            else if (script == "down" || (script.StartsWith("flaky:", StringComparison.Ordinal) && work.Attempt <= int.Parse(script["flaky:".Length..])))
            {
                return Outcome(success: false, "", pages: 0) with { Error = "HTTP 503 Service Unavailable", Transient = true };
            }
            return Outcome(success: true, $"scripted ok: {work.MissionId}", pages: 1);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private static ExecutionOutcome Outcome(bool success, string answer, int pages) => new()
    {
        Result = new ExecutionResult { Success = success, FinalAnswer = answer, ToolsUsed = ["script"], PagesFetched = pages },
    };
}
