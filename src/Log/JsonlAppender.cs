using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;

namespace Missions.Log;

/// <summary>
/// The one writer of one JSONL file in this process, with group commit: appends from all callers are written
/// together and made durable (fsync) once per batch, and no caller's task completes before its bytes are on disk.
/// A failed write is cut back off the file, so a half-written batch never stays behind a good one.
/// The writer is a thread of its own: write and fsync block, and on a small machine a thread-pool thread held
/// in fsync is one of two that run every grain and request.
/// </summary>
public sealed partial class JsonlAppender : IAsyncDisposable
{
    private const int MaxBatchBytes = 4 << 20;

    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly FileStream _file;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _length;
    private long _batches;
    private long _lines;
    private long _fsyncTicks;
    private volatile string? _lastFailure;

    private sealed record Pending(byte[] Payload, int Lines, Action<long>? OnDurable, TaskCompletionSource<long> Done);

    /// <param name="path">The file; created if missing.</param>
    /// <param name="validLength">Where good data ends: anything after it (a torn line) is cut off before writing.</param>
    public JsonlAppender(string path, long validLength, ILogger logger)
    {
        Path = path;
        _logger = logger;
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        if (_file.Length != validLength)
        {
            _file.SetLength(validLength);
            _file.Flush(flushToDisk: true);
        }
        _length = validLength;
        new Thread(WriteLoop) { IsBackground = true, Name = "jsonl " + System.IO.Path.GetFileName(path) }.Start();
    }

    public string Path { get; }

    /// <summary>Why the last write failed, or null when the last write succeeded.</summary>
    public string? LastFailure => _lastFailure;

    /// <summary>Batches written, lines written and the average fsync time, for monitoring and benchmarks.</summary>
    public AppenderStats Stats
    {
        get
        {
            var batches = Interlocked.Read(ref _batches);
            return new AppenderStats(batches, Interlocked.Read(ref _lines),
                batches == 0 ? 0 : TimeSpan.FromTicks(Interlocked.Read(ref _fsyncTicks) / batches).TotalMilliseconds);
        }
    }

    /// <summary>
    /// Appends whole lines (each ending in '\n'); completes with the offset of the first byte once they are on disk.
    /// <paramref name="onDurable"/> runs on the writer, in file order, after the fsync and before the task completes.
    /// </summary>
    public Task<long> AppendAsync(byte[] payload, int lines, Action<long>? onDurable = null)
    {
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite(new Pending(payload, lines, onDurable, done)))
        {
            done.SetException(new ObjectDisposedException(nameof(JsonlAppender), $"The log {Path} is closed."));
        }
        return done.Task;
    }

    private void WriteLoop()
    {
        try
        {
            var batch = new List<Pending>();
            var reader = _pending.Reader;
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult()) // blocks this thread only
            {
                var bytes = 0;
                while (bytes < MaxBatchBytes && reader.TryRead(out var next))
                {
                    batch.Add(next);
                    bytes += next.Payload.Length;
                }
                WriteBatch(batch, bytes);
                batch.Clear();
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    /// <summary>A write failure in words, with no path in them.</summary>
    private string WhyNotWritten(Exception ex)
    {
        const int NoSpace = 28, QuotaExceeded = 122, ReadOnlyFileSystem = 30;
        return ex switch
        {
            UnauthorizedAccessException => "permission denied",
            IOException io when (io.HResult & 0xFFFF) is NoSpace or QuotaExceeded => "No space left on device (the disk is full)",
            IOException io when (io.HResult & 0xFFFF) == ReadOnlyFileSystem => "the file system is read-only",
            _ => ex.Message.Replace(Path, System.IO.Path.GetFileName(Path), StringComparison.Ordinal)
                .Replace(System.IO.Path.GetDirectoryName(Path) ?? Path, "the data directory", StringComparison.Ordinal),
        };
    }

    private void WriteBatch(List<Pending> batch, int bytes)
    {
        var start = _length;
        var buffer = ArrayPool<byte>.Shared.Rent(bytes);
        try
        {
            var at = 0;
            foreach (var p in batch)
            {
                p.Payload.CopyTo(buffer, at);
                at += p.Payload.Length;
            }
            _file.Position = start;
            _file.Write(buffer, 0, bytes);
            var fsync = Stopwatch.GetTimestamp();
            _file.Flush(flushToDisk: true);
            var fsyncTime = Stopwatch.GetElapsedTime(fsync);
            Interlocked.Add(ref _fsyncTicks, fsyncTime.Ticks);
            var file = new KeyValuePair<string, object?>("file", System.IO.Path.GetFileName(Path));
            LogMetrics.Fsync.Record(fsyncTime.TotalSeconds, file);
            LogMetrics.BatchLines.Record(batch.Sum(p => p.Lines), file);
        }
        catch (Exception ex)
        {
            LogWriteFailed(_logger, ex, Path, batch.Count);
            // What failed and why, without where: a client is told this, and the data directory's path is the server's own.
            var name = System.IO.Path.GetFileName(Path);
            var why = WhyNotWritten(ex);
            _lastFailure = $"{name}: {why}";
            TryCutBackTo(start);
            foreach (var p in batch)
            {
                p.Done.TrySetException(new LogWriteException($"The log {name} could not be written: {why}."));
            }
            return;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _lastFailure = null;
        _length = start + bytes; // only the writer loop touches it
        Interlocked.Increment(ref _batches);
        var offset = start;
        var lines = 0;
        foreach (var p in batch)
        {
            try
            {
                p.OnDurable?.Invoke(offset);
            }
            catch (Exception ex)
            {
                LogIndexFailed(_logger, ex, Path, offset);
            }
            p.Done.TrySetResult(offset);
            offset += p.Payload.Length;
            lines += p.Lines;
        }
        Interlocked.Add(ref _lines, lines);
    }

    private void TryCutBackTo(long length)
    {
        try
        {
            _file.SetLength(length);
            _file.Flush(flushToDisk: true);
        }
        catch (Exception ex)
        {
            LogCutBackFailed(_logger, ex, Path, length);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _stopped.Task.ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {Lines} appends to {Path} failed; they were refused")]
    private static partial void LogWriteFailed(ILogger logger, Exception ex, string path, int lines);

    [LoggerMessage(Level = LogLevel.Error, Message = "Updating the index after a write to {Path} at offset {Offset} failed")]
    private static partial void LogIndexFailed(ILogger logger, Exception ex, string path, long offset);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Cutting {Path} back to {Length} bytes after a failed write failed")]
    private static partial void LogCutBackFailed(ILogger logger, Exception ex, string path, long length);
}
