using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Missions.Queue;

namespace Missions.Tests.Unit;

/// <summary>How long a mission waits for the execution queue inside a request (issue 29: a frozen queue's silo must not make every conversation wait 30 s).</summary>
public class QueueReachabilityTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 8, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task An_answer_in_time_is_the_callers_an_unanswered_call_stops_the_next_from_waiting_until_the_queue_answers_again()
    {
        var clock = new Clock();
        var reachability = new QueueReachability(clock, NullLogger<QueueReachability>.Instance);

        // Answered in time, successfully or not: the caller reads the outcome.
        Assert.True(await reachability.WaitAsync(Task.CompletedTask));
        Assert.True(await reachability.WaitAsync(Task.FromException(new InvalidOperationException("refused"))));
        Assert.Equal(QueueReachability.Patience, reachability.Wait());

        // Not answered: waited for the patience once, then not at all.
        var frozen = new TaskCompletionSource();
        var watch = Stopwatch.StartNew();
        Assert.False(await reachability.WaitAsync(frozen.Task));
        Assert.InRange(watch.Elapsed, QueueReachability.Patience - TimeSpan.FromMilliseconds(100), QueueReachability.Patience + TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.Zero, reachability.Wait());
        var second = new TaskCompletionSource();
        watch.Restart();
        Assert.False(await reachability.WaitAsync(second.Task));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"waited {watch.Elapsed} while the queue was not answering");

        // A late answer to either ends that at once.
        second.SetResult();
        await Eventually(() => reachability.Wait() == QueueReachability.Patience);

        // And without an answer, the memory runs out.
        var third = new TaskCompletionSource();
        Assert.False(await reachability.WaitAsync(third.Task));
        Assert.Equal(TimeSpan.Zero, reachability.Wait());
        clock.Now += QueueReachability.Memory + TimeSpan.FromSeconds(1);
        Assert.Equal(QueueReachability.Patience, reachability.Wait());

        // A call that failed late does not count as an answer.
        clock.Now += TimeSpan.FromSeconds(1);
        var fourth = new TaskCompletionSource();
        Assert.False(await reachability.WaitAsync(fourth.Task));
        fourth.SetException(new TimeoutException("no answer")); // its continuation runs at once, on this thread
        Assert.Equal(TimeSpan.Zero, reachability.Wait());
        frozen.SetResult();
        third.SetResult();
    }

    [Fact]
    public async Task A_partition_that_does_not_answer_leaves_the_others_waited_for()
    {
        var reachability = new QueueReachability(new Clock(), NullLogger<QueueReachability>.Instance);
        var frozen = new TaskCompletionSource();
        Assert.False(await reachability.WaitAsync(frozen.Task, partition: 2));
        Assert.Equal(TimeSpan.Zero, reachability.Wait(2));
        Assert.Equal(QueueReachability.Patience, reachability.Wait(0));
        Assert.Equal(QueueReachability.Patience, reachability.Wait(1));
        frozen.SetResult();
        await Eventually(() => reachability.Wait(2) == QueueReachability.Patience);
    }

    [Theory]
    [InlineData(8, 1)]
    [InlineData(8, 3)]
    [InlineData(24, 3)]
    [InlineData(5, 5)]
    [InlineData(100, 7)]
    public void The_partitions_shares_add_up_to_the_limit_and_each_has_one(int maxConcurrency, int partitions)
    {
        var shares = Enumerable.Range(0, partitions).Select(p => QueuePartitions.Limit(maxConcurrency, partitions, p)).ToList();
        Assert.Equal(maxConcurrency, shares.Sum());
        Assert.All(shares, share => Assert.InRange(share, maxConcurrency / partitions, maxConcurrency / partitions + 1));
    }

    [Fact]
    public void A_mission_belongs_to_one_partition_the_same_everywhere_and_the_partitions_are_even()
    {
        Assert.Equal(0, QueuePartitions.Of("m-anything", 1));
        Assert.Equal(QueuePartitions.Of("m-0123abc", 3), QueuePartitions.Of(new string("m-0123abc".ToCharArray()), 3));
        Assert.Equal(1, QueuePartitions.Of("a", 3)); // FNV-1a of "a" is 0xE40C292C: fixed across processes and builds
        var counts = new int[3];
        for (var i = 0; i < 30_000; i++)
        {
            counts[QueuePartitions.Of(Guid.NewGuid().ToString("N"), 3)]++;
        }
        Assert.All(counts, n => Assert.InRange(n, 9_000, 11_000));
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 50 && !condition(); i++)
        {
            await Task.Delay(20);
        }
        Assert.True(condition());
    }
}
