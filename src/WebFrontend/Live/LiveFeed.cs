using System.Threading.Channels;
using Missions.Chat;
using Missions.Log;
using Missions.Web.People;

namespace Missions.Web.Live;

/// <summary>
/// What changed, in the order it was written: every mission event and chat message, numbered for Server-Sent
/// Events. The last <see cref="Capacity"/> items are kept so a browser that reconnects with <c>Last-Event-ID</c>
/// misses nothing; one that was away longer is told to reload. Ids carry this process's start, so ids from
/// before a restart are recognised as stale. Each subscriber gets what its person may see: their own missions and
/// schedules (an operator everything), and the one conversation it named.
/// </summary>
public sealed class LiveFeed(MissionLogReader missions)
{
    public const int Capacity = 10_000;

    private readonly Lock _lock = new();
    private readonly LiveItem[] _ring = new LiveItem[Capacity];
    private readonly List<Subscriber> _subscribers = [];
    private long _next = 1;

    /// <summary>This process's epoch, the first part of every event id.</summary>
    public string Epoch { get; } = DateTime.UtcNow.Ticks.ToString("x");

    /// <summary>A mission's (or schedule's) change, with its owner looked up once (the index has its creation line by now).</summary>
    public void Publish(MissionEvent e) => Publish(new LiveItem(0, e, null, missions.Index.OwnerOf(e.MissionId)));

    public void Publish(ChatMessage message) => Publish(new LiveItem(0, null, message, null));

    /// <summary>Streams open per person, for <see cref="PersonLimits.StreamsPerPerson"/>.</summary>
    private readonly Dictionary<string, int> _streamsOf = new(StringComparer.Ordinal);

    private void Publish(LiveItem item)
    {
        lock (_lock)
        {
            item = item with { Number = _next++ };
            _ring[item.Number % Capacity] = item;
            for (var i = _subscribers.Count - 1; i >= 0; i--)
            {
                if (!_subscribers[i].Offer(item))
                {
                    // Too far behind: drop it; its browser reconnects with Last-Event-ID and is replayed.
                    _subscribers[i].Channel.Writer.TryComplete();
                    _subscribers.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>
    /// Subscribes from <paramref name="lastEventId"/> on. Returns what was missed since then (or null when too
    /// much was, or the id is from another run: the client must reload), and a reader of what follows.
    /// </summary>
    /// <returns>Null when the person has <paramref name="maxStreams"/> streams open already.</returns>
    public (IReadOnlyList<LiveItem>? Missed, ChannelReader<LiveItem> Reader, IDisposable Subscription)? Subscribe(Person person, string? lastEventId, string? sessionId, int maxStreams)
    {
        var subscriber = new Subscriber(person, sessionId);
        lock (_lock)
        {
            var open = _streamsOf.GetValueOrDefault(person.Id);
            if (maxStreams > 0 && open >= maxStreams)
            {
                return null;
            }
            _streamsOf[person.Id] = open + 1;
            List<LiveItem>? missed = [];
            if (!string.IsNullOrEmpty(lastEventId))
            {
                var parts = lastEventId.Split('-', 2);
                if (parts.Length != 2 || parts[0] != Epoch || !long.TryParse(parts[1], out var last) || last >= _next || last < _next - Capacity)
                {
                    missed = null;
                }
                else
                {
                    for (var n = last + 1; n < _next; n++)
                    {
                        if (subscriber.Wants(_ring[n % Capacity]))
                        {
                            missed.Add(_ring[n % Capacity]);
                        }
                    }
                }
            }
            _subscribers.Add(subscriber);
            return (missed, subscriber.Channel.Reader, new Unsubscribe(this, subscriber));
        }
    }

    public string IdOf(LiveItem item) => $"{Epoch}-{item.Number}";

    private sealed class Subscriber(Person person, string? sessionId)
    {
        public Person Person => person;

        public Channel<LiveItem> Channel { get; } = System.Threading.Channels.Channel.CreateBounded<LiveItem>(
            new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        public bool Wants(LiveItem item) => item.Mission is not null ? person.MaySee(item.Owner) : item.Chat is not null && item.Chat.SessionId == sessionId;

        public bool Offer(LiveItem item) => !Wants(item) || Channel.Writer.TryWrite(item);
    }

    private sealed class Unsubscribe(LiveFeed feed, Subscriber subscriber) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            lock (feed._lock)
            {
                feed._subscribers.Remove(subscriber); // gone already when it fell behind
                if (!_disposed)
                {
                    var id = subscriber.Person.Id;
                    if (feed._streamsOf.TryGetValue(id, out var open) && open > 1)
                    {
                        feed._streamsOf[id] = open - 1;
                    }
                    else
                    {
                        feed._streamsOf.Remove(id);
                    }
                }
                _disposed = true;
            }
        }
    }
}

/// <summary>One change: a mission event or a chat message, and its number in this process.</summary>
public readonly record struct LiveItem(long Number, MissionEvent? Mission, ChatMessage? Chat, string? Owner);
