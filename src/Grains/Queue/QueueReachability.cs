namespace Missions.Queue;

/// <summary>
/// Per silo and queue partition: how long a mission waits for the execution queue inside someone's request. A partition
/// is one grain (the whole queue, by default); while its silo is frozen and not yet declared dead, a call to it waits
/// Orleans' response timeout.
/// A mission is queued in the log before it asks for a slot, so it can answer without the queue — after one call went
/// unanswered for <see cref="Patience"/>, the next ones do not wait at all until the queue answers one again or
/// <see cref="Memory"/> has passed (each waiting 3 s would make every conversation slower than its messages arrive).
/// </summary>
public sealed partial class QueueReachability(TimeProvider clock, ILogger<QueueReachability> logger)
{
    /// <summary>The longest a request waits for the queue while it has been answering.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    /// <summary>How long one unanswered call makes the others not wait.</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromSeconds(5);

    private readonly long[] _unansweredUntil = new long[QueuePartitions.Most];

    /// <summary>How long the next call to a partition may be waited for: <see cref="Patience"/>, or nothing while it is not answering.</summary>
    public TimeSpan Wait(int partition = 0) => clock.GetUtcNow().UtcTicks < Interlocked.Read(ref _unansweredUntil[partition]) ? TimeSpan.Zero : Patience;

    /// <summary>
    /// Waits for <paramref name="call"/> as long as <see cref="Wait"/> allows: true if it finished in that time (its own
    /// outcome, success or failure, is then the caller's to read), false if it goes on without being waited for.
    /// </summary>
    public async Task<bool> WaitAsync(Task call, int partition = 0)
    {
        var wait = Wait(partition);
        if (wait > TimeSpan.Zero && !call.IsCompleted)
        {
            // On the caller's scheduler (a grain's turn goes on on its own), whatever the call's outcome.
            await call.WaitAsync(wait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        if (!call.IsCompleted)
        {
            if (wait > TimeSpan.Zero)
            {
                Interlocked.Exchange(ref _unansweredUntil[partition], (clock.GetUtcNow() + Memory).UtcTicks);
                LogNotAnswering(logger, partition, Patience.TotalSeconds);
            }
            _ = call.ContinueWith((t, _) =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    Answered(partition);
                }
                _ = t.Exception; // observed, whatever became of it
            }, null, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return false;
        }
        if (call.IsCompletedSuccessfully)
        {
            Answered(partition);
        }
        return true;
    }

    private void Answered(int partition)
    {
        if (Interlocked.Read(ref _unansweredUntil[partition]) != 0 && Interlocked.Exchange(ref _unansweredUntil[partition], 0) != 0)
        {
            LogAnswering(logger, partition);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The execution queue (partition {Partition}) did not answer within {Seconds} s (its silo may be frozen or lost): its missions are answered as queued without waiting for it, and start when it grants their slots")]
    private static partial void LogNotAnswering(ILogger logger, int partition, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The execution queue (partition {Partition}) answers again")]
    private static partial void LogAnswering(ILogger logger, int partition);
}
