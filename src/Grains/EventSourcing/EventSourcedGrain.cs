using Missions.Log;

namespace Missions.EventSourcing;

/// <summary>
/// The one shape of an event-sourced grain here (missions, schedules, conversations): its state is the fold of its
/// stream (<see cref="IEventFold{TEvent}"/>, beside the aggregate), commands decide and <see cref="RaiseAsync"/>
/// events, and an event is applied only once the store has it at the expected version. Orleans' JournaledGrain on the
/// CustomStorage provider does the same, but retries a failed write in the background with the call left waiting;
/// with a full disk that turns a clear error into a 30-second timeout and a write that lands later.
/// </summary>
/// <remarks>
/// A lost race (another activation of the same stream wrote first: this one's silo was declared dead and came back)
/// reloads the state, fails the call and lets the activation go; the stream carries on where the other one is.
/// </remarks>
public abstract class EventSourcedGrain<TState, TEvent>(IEventStore<TEvent> store) : Grain
    where TState : IEventFold<TEvent>, new()
{
    protected TState State { get; private set; } = new();

    /// <summary>The stream's id: the grain's key.</summary>
    protected string StreamId => this.GetPrimaryKeyString();

    /// <summary>What the stream is called in messages ("Mission", "Schedule", "Conversation").</summary>
    protected abstract string Noun { get; }

    /// <summary>Reads the stream and folds it into a new state; returns what was read.</summary>
    protected async Task<IReadOnlyList<TEvent>> LoadAsync()
    {
        var events = await store.ReadStreamAsync(StreamId);
        State = EventFold.Of<TState, TEvent>(events);
        return events;
    }

    /// <summary>Appends <paramref name="events"/> at the state's version and applies them once durable; throws when another writer got there first.</summary>
    protected async Task RaiseAsync(IReadOnlyList<TEvent> events)
    {
        if (!await TryRaiseAsync(events))
        {
            throw Conflict();
        }
    }

    /// <summary>
    /// As <see cref="RaiseAsync"/>, but false (the state reloaded) when another writer got there first. If the append
    /// fails (a full disk, the store unreachable) nothing is applied and the caller gets the error.
    /// </summary>
    protected async Task<bool> TryRaiseAsync(IReadOnlyList<TEvent> events)
    {
        events = Stamp(events);
        if (!await store.AppendAsync(StreamId, events, State.Version))
        {
            await LoadAsync();
            return false;
        }
        foreach (var e in events)
        {
            State.Apply(e);
        }
        return true;
    }

    /// <summary>What every event of this aggregate carries that its command did not set (a mission's trace id).</summary>
    protected virtual IReadOnlyList<TEvent> Stamp(IReadOnlyList<TEvent> events) => events;

    /// <summary>The error of a lost race: this activation goes once the call ends.</summary>
    protected ConcurrentChangeException Conflict()
    {
        DeactivateOnIdle();
        return new ConcurrentChangeException($"{Noun} {StreamId} changed in the store underneath this activation; try again.");
    }
}
