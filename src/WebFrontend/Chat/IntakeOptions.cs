namespace Missions.Web.Chat;

/// <summary>
/// How much work the chat takes in ahead of the queue (<c>Missions:Execution</c>): past <see cref="MaxQueued"/> missions
/// waiting, a message that asks for work is refused at once (503, <c>Retry-After</c>) instead of queueing behind them —
/// a burst degrades into fast refusals, not into minutes of lag. Talk and steering are still answered.
/// </summary>
public sealed class IntakeOptions
{
    public const string Section = "Missions:Execution";

    /// <summary>Missions waiting in the queue at most before new work is refused; 0: no bound.</summary>
    public int MaxQueued { get; set; } = 10_000;

    /// <summary>What a refusal's <c>Retry-After</c> says, in seconds.</summary>
    public int RetryAfterSeconds { get; set; } = 5;
}
