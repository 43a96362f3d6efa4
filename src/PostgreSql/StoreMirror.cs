using System.Text;
using Missions.Chat;
using Npgsql;

namespace Missions.PostgreSql;

/// <summary>
/// A web frontend's copy of the store (cluster mode): <c>missions.jsonl</c> and <c>chat_sessions.jsonl</c> in its own
/// data directory, line for line as the embedded default writes them, so the whiteboard, the lists, the signals
/// projection and the live stream read local files at local speed. Rows are read in position order — positions are
/// handed out in commit order (see <see cref="PostgresStore"/>), so nothing below the last one read can still appear.
/// A commit's notification wakes it; without one it looks every half second. It resumes after a restart from the
/// position of the last line its files hold: no gap, no line twice.
/// </summary>
public sealed partial class StoreMirror(
    NpgsqlDataSource db, MissionLog missions, ChatLog chats, Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime, ILogger<StoreMirror> logger)
    : Microsoft.Extensions.Hosting.BackgroundService
{
    private const int Batch = 4_000;

    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(500);

    private long? _missionsAt;
    private long? _chatsAt;

    /// <summary>The store position of the last mission row mirrored (null before the mirror opened).</summary>
    public long? MissionsPosition => _missionsAt;

    /// <summary>Why the mirror is behind, or null while it keeps up.</summary>
    public string? Problem { get; private set; }

    /// <summary>For operators only (readiness on the management URLs): where the store is and what the driver said.</summary>
    public string? ProblemDetail { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var wait = TimeSpan.FromMilliseconds(250); !stoppingToken.IsCancellationRequested; wait = Backoff.Longer(wait))
        {
            try
            {
                await using var listener = await db.OpenConnectionAsync(stoppingToken);
                var moved = (Missions: true, Chats: true);
                listener.Notification += (_, e) => moved = (moved.Missions || e.Payload.Contains(PostgresStore.MissionsMoved), moved.Chats || e.Payload.Contains(PostgresStore.ChatsMoved));
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresStore.Channel}", listener))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                _missionsAt ??= await ResumeAsync("mission_events", "mission_id", missions.Index.LastLine, LogFiles.Missions, stoppingToken);
                _chatsAt ??= await ResumeAsync("chat_messages", "session_id", chats.LastLine, LogFiles.ChatSessions, stoppingToken);
                Problem = null;
                ProblemDetail = null;
                wait = TimeSpan.FromMilliseconds(250);
                while (!stoppingToken.IsCancellationRequested)
                {
                    // Only the streams a commit said it moved (both after a quiet half second, to be sure).
                    var (readMissions, readChats) = moved;
                    moved = (false, false);
                    var missionRows = readMissions ? await CopyMissionsAsync(stoppingToken) : 0;
                    var chatRows = readChats ? await CopyChatsAsync(stoppingToken) : 0;
                    moved = (moved.Missions || missionRows == Batch, moved.Chats || chatRows == Batch);
                    if (moved is (false, false) && !await listener.WaitAsync(Idle, stoppingToken))
                    {
                        moved = (true, true);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is StoreUnavailableException or InvalidDataException)
            {
                // Not a mirror of this store (or no longer one: a line that does not follow its mission's last):
                // serving it would mix two histories. The process stops and says why.
                LogRefused(logger, ex.Message);
                Console.Error.WriteLine(ex.Message);
                Environment.ExitCode = 4;
                lifetime.StopApplication();
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException)
            {
                // Readiness says what is wrong, not where the store is or what the driver said: that is in the log.
                Problem = "The mirror cannot read the store; it tries again (the log says why).";
                ProblemDetail = $"{ex.GetType().Name} from {PostgresStore.Describe(db)}: {ex.Message}";
                LogBehind(logger, ex, wait.TotalSeconds);
            }
            await Task.Delay(wait, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// The store position of a file's last line (0 for an empty file). A line the store does not have means the
    /// file is not a mirror of this store: refused, rather than mixing two histories in one file.
    /// </summary>
    private async Task<long> ResumeAsync(string table, string key, (string Id, int Seq)? last, string file, CancellationToken cancellationToken)
    {
        if (last is not { } line)
        {
            return 0;
        }
        await using var command = db.CreateCommand($"SELECT position FROM {table} WHERE {key} = @id AND seq = @seq");
        command.Parameters.AddWithValue("id", line.Id);
        command.Parameters.AddWithValue("seq", line.Seq);
        if (await command.ExecuteScalarAsync(cancellationToken) is long position)
        {
            LogResumed(logger, file, position);
            return position;
        }
        throw new StoreUnavailableException(
            $"{file} is not a mirror of {PostgresStore.Describe(db)}: its last line ({line.Id}, seq {line.Seq}) is not in the store. " +
            "Move the data directory's logs away (or point Missions:DataDirectory elsewhere) to mirror the store from the start.");
    }

    private async Task<int> CopyMissionsAsync(CancellationToken cancellationToken)
    {
        var (rows, last) = await ReadAsync("mission_events", _missionsAt!.Value, cancellationToken);
        if (rows.Count == 0)
        {
            return 0;
        }
        var events = rows.ConvertAll(r => MissionLogReader.ParseLine(r));
        await missions.AppendMirroredAsync(events, rows);
        _missionsAt = last;
        var now = DateTime.UtcNow;
        foreach (var e in events)
        {
            LogMetrics.MirrorLag.Record(Math.Max(0, (now - e.Timestamp).TotalSeconds));
        }
        return rows.Count;
    }

    private async Task<int> CopyChatsAsync(CancellationToken cancellationToken)
    {
        var (rows, last) = await ReadAsync("chat_messages", _chatsAt!.Value, cancellationToken);
        if (rows.Count == 0)
        {
            return 0;
        }
        await chats.AppendMirroredAsync(rows.ConvertAll(r => ChatLog.ParseOrNull(r) ?? throw new InvalidDataException("A chat row is not a message.")), rows);
        _chatsAt = last;
        return rows.Count;
    }

    private async Task<(List<byte[]> Lines, long Last)> ReadAsync(string table, long after, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand($"SELECT position, line FROM {table} WHERE position > @after ORDER BY position LIMIT {Batch}");
        command.Parameters.AddWithValue("after", after);
        var lines = new List<byte[]>();
        var last = after;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            last = reader.GetInt64(0);
            lines.Add(Encoding.UTF8.GetBytes(reader.GetString(1)));
        }
        return (lines, last);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mirroring the store into {File} from position {Position}")]
    private static partial void LogResumed(ILogger logger, string file, long position);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Problem}")]
    private static partial void LogRefused(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The mirror cannot read the store; trying again in {Seconds} s")]
    private static partial void LogBehind(ILogger logger, Exception ex, double seconds);
}
