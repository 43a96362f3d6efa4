using Microsoft.Extensions.Hosting;
using Microsoft.Win32.SafeHandles;

namespace Missions.Log;

/// <summary>
/// Follows a log that another process writes (client mode: the silo writes, the web frontend reads): the lines there
/// at start are read once, then new complete lines are published on <see cref="Feed"/> as they land (a partly written
/// line waits for its newline), every 100 ms.
/// </summary>
public abstract partial class JsonlFollower<T> : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    private readonly Func<ReadOnlySpan<byte>, T?> _parse;
    private readonly ILogger _logger;
    private readonly string _path;
    private long _position;

    /// <param name="path">The log.</param>
    /// <param name="parse">Reads a line; null for a malformed one (skipped).</param>
    /// <param name="atStart">Reads each line there at start (an index's facts, or nothing); false for a malformed one.</param>
    protected JsonlFollower(string path, Func<ReadOnlySpan<byte>, T?> parse, JsonlScanner.LineHandler atStart, ILogger logger)
    {
        _parse = parse;
        _logger = logger;
        _path = path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File = System.IO.File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var scan = JsonlScanner.Scan(File, 0, atStart);
        if (scan.Malformed > 0)
        {
            LogMalformed(logger, path, scan.Malformed);
        }
        _position = scan.CompleteLength;
        Feed = new LogFeed<T>(File, parse, _position);
    }

    /// <summary>The log's lines, in file order, from any position.</summary>
    public LogFeed<T> Feed { get; }

    protected SafeFileHandle File { get; }

    /// <summary>Called for each new line before it is published (an index takes it here).</summary>
    protected virtual void OnLine(LogLine<T> entry)
    {
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var lines = new List<LogLine<T>>();
                var scan = JsonlScanner.Scan(File, _position, (line, where) =>
                {
                    if (_parse(line) is not { } value)
                    {
                        return false;
                    }
                    lines.Add(new LogLine<T>(value, where));
                    return true;
                });
                if (scan.Malformed > 0)
                {
                    LogMalformed(_logger, _path, scan.Malformed);
                }
                foreach (var line in lines)
                {
                    OnLine(line);
                }
                Feed.Publish(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(lines));
                _position = scan.CompleteLength;
            }
            catch (IOException ex)
            {
                LogReadFailed(_logger, ex);
            }
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        File.Dispose();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Count} malformed lines of {Path}")]
    private static partial void LogMalformed(ILogger logger, string path, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading a followed log failed; retrying")]
    private static partial void LogReadFailed(ILogger logger, Exception ex);
}

/// <summary>Client mode: <c>missions.jsonl</c> as the silo writes it, indexed here line by line for the whiteboard.</summary>
public sealed class MissionLogFollower : JsonlFollower<MissionEvent>
{
    public MissionLogFollower(Microsoft.Extensions.Options.IOptions<MissionsOptions> options, ILogger<MissionLogFollower> logger)
        : this(options.Value.PathOf(LogFiles.Missions), new MissionIndex(), logger)
    {
    }

    private MissionLogFollower(string path, MissionIndex index, ILogger logger)
        : base(path, MissionLogReader.ParseOrNull, MissionLogReader.FactIndexer(index), logger)
    {
        Reader = new MissionLogReader(File, index, ownsFile: false);
    }

    public MissionLogReader Reader { get; }

    protected override void OnLine(LogLine<MissionEvent> entry) => Reader.Index.Add(entry.Value, entry.Where);
}

/// <summary>Client mode: <c>chat_sessions.jsonl</c> as the silo writes it, for the live stream.</summary>
public sealed class ChatLogFollower(Microsoft.Extensions.Options.IOptions<MissionsOptions> options, ILogger<ChatLogFollower> logger)
    : JsonlFollower<Chat.ChatMessage>(options.Value.PathOf(LogFiles.ChatSessions), ChatLog.ParseOrNull, (_, _) => true, logger);
