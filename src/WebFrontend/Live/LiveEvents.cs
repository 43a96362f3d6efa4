using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Missions.Chat;
using Missions.Log;
using Missions.Web.People;

namespace Missions.Web.Live;

/// <summary>
/// One browser's live stream: a projection of the logs' feeds (<see cref="LogFeed{T}"/>, the one subscription seam)
/// — every change of the missions and schedules its person may see (event <c>mission</c>) and, when it names one,
/// its conversation's new messages (event <c>chat</c>), in the order they were written. An event's id is where the
/// stream stands in both logs, so a browser reconnecting with <c>Last-Event-ID</c> resumes exactly there, across
/// restarts too; one too far behind, or with an id that is not a place in these logs, is told to reload
/// (event <c>reset</c>). A heartbeat (event <c>heartbeat</c>) every 15 s keeps proxies from closing an idle stream
/// and moves the id past lines the person was not shown.
/// </summary>
public static class LiveEvents
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>How far back a reconnecting browser is replayed in each log; further back, it reloads instead.</summary>
    public const long MaxReplayBytes = 16L << 20;

    private const int Batch = 1024;

    /// <summary>The stream's place: where it stands in the mission log and in the chat log.</summary>
    public readonly record struct Place(long Missions, long Chats)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Missions}.{Chats}");

        /// <summary>A place in these logs, recent enough to replay; null when the id is not one (another data directory, a made-up id, too old).</summary>
        public static Place? Parse(string id, LogFeed<MissionEvent> missions, LogFeed<ChatMessage> chats)
        {
            var dot = id.IndexOf('.');
            return dot > 0
                && long.TryParse(id.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var m)
                && long.TryParse(id.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var c)
                && Replayable(missions, m) && Replayable(chats, c)
                ? new Place(m, c)
                : null;
        }

        private static bool Replayable<T>(LogFeed<T> feed, long position) =>
            feed.End - position <= MaxReplayBytes && feed.IsLineStart(position);
    }

    /// <summary>
    /// The events for <paramref name="person"/> from <paramref name="from"/> (null: from now), with the conversation
    /// <paramref name="sessionId"/>'s messages when it is given. The first event says the stream is open (or, when the
    /// browser's id could not be resumed, that it must reload), and the reconnection delay.
    /// </summary>
    public static async IAsyncEnumerable<SseItem<string>> EventsAsync(
        LogFeed<MissionEvent> missionFeed, LogFeed<ChatMessage> chatFeed, MissionIndex index, Person person, string? sessionId, Place? from, bool reset,
        Func<ChatMessage, string> chatJson, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var place = from ?? new Place(missionFeed.End, chatFeed.End);
        using var missions = missionFeed.Follow(place.Missions);
        using var chats = sessionId is null ? null : chatFeed.Follow(place.Chats);
        var sent = place.ToString();
        yield return new SseItem<string>("{}", reset ? "reset" : "ready") { ReconnectionInterval = TimeSpan.FromSeconds(2), EventId = sent };

        var nextMissions = missions.ReadAsync(Batch, cancellationToken).AsTask();
        var nextChats = chats?.ReadAsync(Batch, cancellationToken).AsTask() ?? new TaskCompletionSource<IReadOnlyList<LogLine<ChatMessage>>>().Task;
        Task? idle = null; // one timer for the next heartbeat, not one per batch
        while (!cancellationToken.IsCancellationRequested)
        {
            idle ??= Task.Delay(Heartbeat, cancellationToken);
            var ready = await Task.WhenAny(nextMissions, nextChats, idle);
            if (ready.IsCanceled)
            {
                yield break; // the browser went away
            }
            if (ready == idle)
            {
                idle = null;
                // Lines passed that this person is not shown count as read: the id moves past them.
                var now = place.ToString();
                yield return new SseItem<string>("{}", "heartbeat") { EventId = now == sent ? null : now };
                sent = now;
                continue;
            }
            if (ready == nextMissions)
            {
                var lines = await nextMissions;
                if (lines.Count == 0)
                {
                    yield break; // stopping
                }
                foreach (var line in lines)
                {
                    place = place with { Missions = line.Next };
                    if (person.MaySee(index.OwnerOf(line.Value.MissionId)))
                    {
                        sent = place.ToString();
                        yield return new SseItem<string>(JsonSerializer.Serialize(Whiteboard.SessionPrivacy.WithoutSession(line.Value), MissionsJson.Context.MissionEvent), "mission")
                        {
                            EventId = sent,
                        };
                    }
                }
                nextMissions = missions.ReadAsync(Batch, cancellationToken).AsTask();
            }
            else
            {
                var lines = await nextChats;
                if (lines.Count == 0)
                {
                    yield break;
                }
                foreach (var line in lines)
                {
                    place = place with { Chats = line.Next };
                    if (line.Value.SessionId == sessionId)
                    {
                        sent = place.ToString();
                        yield return new SseItem<string>(chatJson(line.Value), "chat") { EventId = sent };
                    }
                }
                nextChats = chats!.ReadAsync(Batch, cancellationToken).AsTask();
            }
        }
    }
}

/// <summary>Live streams open per person, for <see cref="PersonLimits.StreamsPerPerson"/>.</summary>
public sealed class LiveStreamSlots
{
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>A slot for one more of <paramref name="person"/>'s streams (given back when disposed), or null when they have <paramref name="max"/> open.</summary>
    public IDisposable? TryTake(Person person, int max)
    {
        lock (_open)
        {
            var open = _open.GetValueOrDefault(person.Id);
            if (max > 0 && open >= max)
            {
                return null;
            }
            _open[person.Id] = open + 1;
        }
        return new Slot(this, person.Id);
    }

    private sealed class Slot(LiveStreamSlots slots, string personId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }
            lock (slots._open)
            {
                if (slots._open.TryGetValue(personId, out var open) && open > 1)
                {
                    slots._open[personId] = open - 1;
                }
                else
                {
                    slots._open.Remove(personId);
                }
            }
        }
    }
}
