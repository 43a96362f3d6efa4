using Microsoft.Win32.SafeHandles;

namespace Missions.Log;

/// <summary>
/// One JSONL log file opened for this process: scanned once (torn tail cut off with a warning, malformed lines
/// skipped and counted), then appended to through its group-commit writer and read by offset.
/// </summary>
public sealed partial class JsonlFile : IAsyncDisposable
{
    private JsonlFile(string path, SafeFileHandle reader, JsonlAppender appender, ScanResult opened)
    {
        Path = path;
        ReadHandle = reader;
        Appender = appender;
        Opened = opened;
    }

    public string Path { get; }
    public SafeFileHandle ReadHandle { get; }
    public JsonlAppender Appender { get; }

    /// <summary>What the scan at open found.</summary>
    public ScanResult Opened { get; }

    /// <summary>
    /// Opens the file and scans it into <paramref name="onLine"/> — from the offset <paramref name="resume"/>
    /// returns (a checkpoint of what was read before, or the start of the part that is needed), else from the start.
    /// </summary>
    public static JsonlFile Open(string path, JsonlScanner.LineHandler onLine, ILogger logger, Func<SafeFileHandle, long>? resume = null)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var reader = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var start = resume?.Invoke(reader) ?? 0;
            var scan = JsonlScanner.Scan(reader, start, onLine);
            if (scan.TornBytes > 0)
            {
                LogTornTail(logger, path, scan.TornBytes, scan.CompleteLength);
            }
            if (scan.Malformed > 0)
            {
                LogMalformed(logger, path, scan.Malformed);
            }
            if (start > 0)
            {
                LogResumed(logger, path, start, scan.Lines, clock.ElapsedMilliseconds);
            }
            else
            {
                LogOpened(logger, path, scan.Lines, clock.ElapsedMilliseconds);
            }
            return new JsonlFile(path, reader, new JsonlAppender(path, scan.CompleteLength, logger), scan);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Reads one line (without its newline).</summary>
    /// <summary>
    /// The one way lines enter a log: <paramref name="payload"/> is appended, and once it is durable each line is
    /// indexed (<paramref name="index"/>; <paramref name="lines"/> says where each item's line is in the payload) and then published to the log's readers (<paramref name="feed"/>), in order.
    /// </summary>
    public Task AppendAsync<T>(IReadOnlyList<T> items, byte[] payload, (int Start, int Length)[] lines, Action<T, LineRef> index, LogFeed<T> feed) =>
        Appender.AppendAsync(payload, items.Count, offset =>
        {
            var durable = new LogLine<T>[items.Count];
            for (var i = 0; i < items.Count; i++)
            {
                var (start, length) = lines[i];
                durable[i] = new LogLine<T>(items[i], new LineRef(offset + start, length));
                index(items[i], durable[i].Where);
            }
            feed.Publish(durable);
        });

    public byte[] ReadLine(LineRef line)
    {
        var buffer = new byte[line.Length];
        JsonlScanner.ReadLine(ReadHandle, line, buffer);
        return buffer;
    }

    public async ValueTask DisposeAsync()
    {
        await Appender.DisposeAsync();
        ReadHandle.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} ended in a torn line ({Bytes} bytes after offset {Offset}, a write cut short by a crash); it was cut off")]
    private static partial void LogTornTail(ILogger logger, string path, long bytes, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} has {Count} malformed lines; they were skipped")]
    private static partial void LogMalformed(ILogger logger, string path, long count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Opened {Path} from offset {Offset} (what comes before was read before, or is not needed), then {Lines} lines, in {ElapsedMs} ms")]
    private static partial void LogResumed(ILogger logger, string path, long offset, long lines, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Opened {Path}: {Lines} lines in {ElapsedMs} ms")]
    private static partial void LogOpened(ILogger logger, string path, long lines, long elapsedMs);
}

/// <summary>Where lines already serialized sit in the payload <see cref="JsonlLines.Join"/> made of them.</summary>
public static class JoinedLines
{
    public static (int Start, int Length)[] Of(int[] starts, IReadOnlyList<byte[]> lines)
    {
        var where = new (int, int)[starts.Length];
        for (var i = 0; i < starts.Length; i++)
        {
            where[i] = (starts[i], lines[i].Length);
        }
        return where;
    }
}
