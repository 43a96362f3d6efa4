using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;

namespace Missions.Log;

/// <summary>One durable line of a log: what it says and where it is.</summary>
public readonly record struct LogLine<T>(T Value, LineRef Where)
{
    /// <summary>Where the next line starts.</summary>
    public long Next => Where.Offset + Where.Length + 1;
}

/// <summary>
/// The seam between whoever learns that lines of a log are durable and whoever follows them: the ordered stream of
/// a log's durable lines, from any position. Its source publishes lines in file order — the writer as its batches
/// land (the embedded default), or a follower of a file another process writes (client mode); readers (the live
/// stream, the signals projection) are wired the same way whichever it is.
/// </summary>
public sealed class LogFeed<T>
{
    /// <summary>How far a replay reads at once.</summary>
    private const int ReplayChunk = 1 << 20;

    private readonly SafeFileHandle _file;
    private readonly Func<ReadOnlySpan<byte>, T?> _parse;
    private readonly Lock _lock = new();
    private readonly List<Channel<LogLine<T>>> _followers = [];
    private long _end;

    /// <param name="file">A read handle on the log, for replays.</param>
    /// <param name="parse">Reads a line; null for a malformed one (skipped).</param>
    /// <param name="end">Where the durable lines end when the feed opens.</param>
    public LogFeed(SafeFileHandle file, Func<ReadOnlySpan<byte>, T?> parse, long end)
    {
        _file = file;
        _parse = parse;
        _end = end;
    }

    /// <summary>Where the durable lines end now: following from here gives only what comes next.</summary>
    public long End
    {
        get { lock (_lock) { return _end; } }
    }

    /// <summary>Called by the source, in file order, as lines become durable.</summary>
    public void Publish(ReadOnlySpan<LogLine<T>> entries)
    {
        if (entries.IsEmpty)
        {
            return;
        }
        lock (_lock)
        {
            _end = entries[^1].Next;
            foreach (var follower in _followers)
            {
                foreach (var entry in entries)
                {
                    follower.Writer.TryWrite(entry);
                }
            }
        }
    }

    /// <summary>
    /// Follows the log from <paramref name="from"/> (where a line starts; 0 for the whole log, <see cref="End"/> for
    /// only what comes next): the lines already there are read from the file, then each new one as it is published.
    /// Dispose the cursor to stop.
    /// </summary>
    public Cursor Follow(long from)
    {
        var live = Channel.CreateUnbounded<LogLine<T>>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            // What is published from now on goes to the channel; what was before, the cursor reads from the file.
            _followers.Add(live);
            return new Cursor(this, live, Math.Min(from, _end), _end);
        }
    }

    /// <summary>A follower's place in the feed.</summary>
    public sealed class Cursor : IDisposable
    {
        private readonly LogFeed<T> _feed;
        private readonly Channel<LogLine<T>> _live;
        private readonly long _replayTo;
        private long _replayed;

        internal Cursor(LogFeed<T> feed, Channel<LogLine<T>> live, long from, long replayTo)
        {
            _feed = feed;
            _live = live;
            _replayed = from;
            _replayTo = replayTo;
        }

        /// <summary>Whether lines durable before following began are still to be read.</summary>
        public bool Replaying => _replayed < _replayTo;

        /// <summary>The next lines in order, at least one (none once the cursor is disposed): waits while there are none.</summary>
        public async ValueTask<IReadOnlyList<LogLine<T>>> ReadAsync(int max, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            while (Replaying)
            {
                if (Replay() is { Count: > 0 } replayed)
                {
                    return replayed;
                }
            }
            var batch = new List<LogLine<T>>();
            while (batch.Count == 0)
            {
                if (!await _live.Reader.WaitToReadAsync(cancellationToken))
                {
                    return batch;
                }
                while (batch.Count < max && _live.Reader.TryRead(out var entry))
                {
                    batch.Add(entry);
                }
            }
            return batch;
        }

        /// <summary>Lines that were durable when following began, read from the file a chunk at a time.</summary>
        private List<LogLine<T>> Replay()
        {
            var batch = new List<LogLine<T>>();
            var chunk = ReplayChunk;
            while (batch.Count == 0 && Replaying)
            {
                var end = Math.Min(_replayTo, _replayed + chunk);
                var scan = JsonlScanner.Scan(_feed._file, _replayed, end, (line, where) =>
                {
                    if (_feed._parse(line) is { } value)
                    {
                        batch.Add(new LogLine<T>(value, where));
                        return true;
                    }
                    return false;
                });
                if (scan.CompleteLength == _replayed && end < _replayTo)
                {
                    chunk *= 2; // one line longer than the chunk
                    continue;
                }
                _replayed = scan.CompleteLength;
                if (end == _replayTo)
                {
                    _replayed = _replayTo;
                }
            }
            return batch;
        }

        /// <summary>Stops following: what was published before is still read (the rest of a replay, then the queued lines), then reads return none.</summary>
        public void Dispose()
        {
            lock (_feed._lock)
            {
                _feed._followers.Remove(_live);
            }
            _live.Writer.TryComplete();
        }
    }
}
