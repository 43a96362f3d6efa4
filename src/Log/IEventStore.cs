namespace Missions.Log;

/// <summary>
/// Streams of events, one per aggregate, as an event-sourced grain uses them: append with an expected version (durable
/// when it returns), and read one stream back. The two methods Orleans' <c>ICustomStorageInterface</c> asks of a
/// journaled grain's storage; no queries.
/// </summary>
public interface IEventStore<TEvent>
{
    /// <summary>
    /// Appends a stream's new events if its version is still <paramref name="expectedVersion"/>, numbering them
    /// (<c>seq</c>) from there. Returns false, writing nothing, when another writer got there first.
    /// </summary>
    Task<bool> AppendAsync(string streamId, IReadOnlyList<TEvent> events, int expectedVersion);

    /// <summary>The stream's events, oldest first; empty when it is unknown.</summary>
    ValueTask<IReadOnlyList<TEvent>> ReadStreamAsync(string streamId);
}
