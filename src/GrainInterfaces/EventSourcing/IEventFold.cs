namespace Missions;

/// <summary>
/// An aggregate's state as the fold of its stream: one <see cref="Apply"/> per event, in order, and the number of
/// events applied so far, which is the version its next append expects.
/// </summary>
public interface IEventFold<in TEvent>
{
    int Version { get; }

    void Apply(TEvent e);
}

/// <summary>Folds a stream into a new state.</summary>
public static class EventFold
{
    public static TState Of<TState, TEvent>(IEnumerable<TEvent> events) where TState : IEventFold<TEvent>, new()
    {
        var state = new TState();
        foreach (var e in events)
        {
            state.Apply(e);
        }
        return state;
    }
}
