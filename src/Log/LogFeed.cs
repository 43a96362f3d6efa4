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
/// land (the embedded default), or a follower of a file another process writes (client mode); its readers (the
/// signals projection, each browser's live stream) are projections of it, wired the same way whichever it is.
/// A reader that falls behind (a slow browser) holds at most <see cref="MaxQueued"/> lines in memory: past that it
/// reads on from the file where it was, and catches up with what is published once it has.
/// </summary>
public sealed class LogFeed<T>
{
    /// <summary>How far a replay reads at once.</summary>
    private const int ReplayChunk = 1 << 20;

    /// <summary>Lines published and not yet read that one reader may hold before it reads from the file instead.</summary>
    public const int MaxQueued = 8_192;

    private readonly SafeFileHandle _file;
    private readonly Func<ReadOnlySpan<byte>, T?> _parse;
    private readonly Lock _lock = new();
    private readonly List<Cursor> _followers = [];
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

    /// <summary>Whether a line of the log starts at <paramref name="position"/> (0, its end, or just after a newline).</summary>
    public bool IsLineStart(long position)
    {
        var end = End;
        if (position == 0 || position == end)
        {
            return true;
        }
        if (position < 0 || position > end)
        {
            return false;
        }
        Span<byte> before = stackalloc byte[1];
        return RandomAccess.Read(_file, before, position - 1) == 1 && before[0] == (byte)'\n';
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
            for (var i = _followers.Count - 1; i >= 0; i--)
            {
                if (!_followers[i].Offer(entries))
                {
                    _followers.RemoveAt(i); // it reads on from the file (see Cursor.ReadAsync)
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
        var cursor = new Cursor(this, from);
        cursor.Attach();
        return cursor;
    }

    /// <summary>A follower's place in the feed.</summary>
    public sealed class Cursor : IDisposable
    {
        private readonly LogFeed<T> _feed;
        private Channel<LogLine<T>> _live = null!;
        private long _replayTo;
        private long _replayed;

        /// <summary>Set (under the feed's lock) when a publication found this reader's queue full: it was let go.</summary>
        private bool _behind;

        private bool _disposed;

        internal Cursor(LogFeed<T> feed, long from)
        {
            _feed = feed;
            _replayed = from;
            Position = from;
        }

        /// <summary>Where the line after the last one read starts: following again from here misses nothing.</summary>
        public long Position { get; private set; }

        /// <summary>Whether lines durable before following began are still to be read.</summary>
        public bool Replaying => _replayed < _replayTo;

        /// <summary>From <see cref="Position"/> on: what is durable now is read from the file, what is published from now on is queued.</summary>
        internal void Attach()
        {
            lock (_feed._lock)
            {
                _live = Channel.CreateBounded<LogLine<T>>(new BoundedChannelOptions(MaxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
                _behind = false;
                _replayed = Math.Min(Position, _feed._end);
                _replayTo = _feed._end;
                if (!_disposed)
                {
                    _feed._followers.Add(this);
                }
            }
        }

        /// <summary>Queues published lines; false (and this reader let go) when its queue is full.</summary>
        internal bool Offer(ReadOnlySpan<LogLine<T>> entries)
        {
            foreach (var entry in entries)
            {
                if (!_live.Writer.TryWrite(entry))
                {
                    _behind = true;
                    _live.Writer.TryComplete();
                    return false;
                }
            }
            return true;
        }

        /// <summary>The next lines in order, at least one (none once the cursor is disposed): waits while there are none.</summary>
        public async ValueTask<IReadOnlyList<LogLine<T>>> ReadAsync(int max, CancellationToken cancellationToken)
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                while (Replaying)
                {
                    if (Replay() is { Count: > 0 } replayed)
                    {
                        return Read(replayed);
                    }
                }
                var live = _live;
                var batch = new List<LogLine<T>>();
                while (batch.Count == 0)
                {
                    if (!await live.Reader.WaitToReadAsync(cancellationToken))
                    {
                        break;
                    }
                    while (batch.Count < max && live.Reader.TryRead(out var entry))
                    {
                        batch.Add(entry);
                    }
                }
                if (batch.Count > 0)
                {
                    return Read(batch);
                }
                bool behind;
                lock (_feed._lock)
                {
                    behind = _behind && !_disposed;
                }
                if (!behind)
                {
                    return batch; // disposed
                }
                Attach(); // it fell behind: on from the file, where it was
            }
        }

        private List<LogLine<T>> Read(List<LogLine<T>> lines)
        {
            Position = Math.Max(Position, lines[^1].Next);
            return lines;
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
                    Position = Math.Max(Position, _replayTo); // malformed lines at the end are passed too
                }
            }
            return batch;
        }

        /// <summary>Stops following: what was published before is still read (the rest of a replay, then the queued lines), then reads return none.</summary>
        public void Dispose()
        {
            lock (_feed._lock)
            {
                _disposed = true;
                _feed._followers.Remove(this);
                _live.Writer.TryComplete();
            }
        }
    }
}
