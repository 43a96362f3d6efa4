using System.Text;
using System.Threading.Channels;
using Missions.Chat;
using Npgsql;
using NpgsqlTypes;

namespace Missions.PostgreSql;

/// <summary>
/// The mission and chat streams in PostgreSQL (cluster mode), as the grains of every silo use them.
/// <para>Appends from all grains of this silo are group-committed: one loop takes whatever has gathered and writes it
/// in one transaction, and no caller's task completes before that transaction committed.</para>
/// <para>A mission's append is conditional: its row in <c>missions</c> moves from the expected version to the new one
/// in the same statement that inserts the events, so of two activations of one mission (a silo declared dead that
/// still runs) only one can record anything at a version — the other is told false and reloads.</para>
/// <para>Every row gets a global position, and positions are handed out in commit order: each transaction takes one
/// advisory lock before inserting and holds it to its commit. So a reader that has seen position p has seen every
/// committed row below p — a transaction that commits late cannot leave a hole behind a later one (the sequence-gap
/// problem of identity columns), at the price of one transaction writing at a time, cluster-wide; group commit makes
/// those few and large.</para>
/// </summary>
public sealed partial class PostgresStore : IMissionStore, IChatStore, IWrittenLog, IAsyncDisposable
{
    /// <summary>Appends per transaction at most.</summary>
    private const int MaxBatch = 1_000;

    /// <summary>The commit-order lock (an arbitrary, fixed advisory-lock key).</summary>
    public const long CommitLock = 0x4d697373_696f6e31;

    /// <summary>Raised (NOTIFY) by each commit, so mirrors read at once instead of on their next poll.</summary>
    public const string Channel = "missions_store";

    /// <summary>In a notification's payload: the commit wrote mission rows, chat rows.</summary>
    public const char MissionsMoved = 'm', ChatsMoved = 'c';

    /// <summary>The statuses the queue does not dispatch: the terminal ones and <c>proposed</c> (waiting for approval).</summary>
    private static readonly string[] NotRunnable =
        [.. Enum.GetValues<MissionStatus>().Where(s => s.IsTerminal() || s == MissionStatus.Proposed).Select(s => s.ToWireName())];

    private readonly NpgsqlDataSource _db;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _pending = System.Threading.Channels.Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly MissionAppend.InFlight _chatsAppending = new();
    private readonly MissionAppend.InFlight _appending = new();
    private readonly Task _writing;
    private volatile string? _lastFailure;
    private long _commits;
    private long _rows;

    private readonly CommitFaults? _faults;

    public PostgresStore(NpgsqlDataSource db, ILogger<PostgresStore> logger, CommitFaults? faults = null)
    {
        _db = db;
        _logger = logger;
        _faults = faults;
        _writing = Task.Run(WriteLoopAsync);
    }

    /// <summary>Faults a test injects into the commit, to see what callers are told; the store itself runs with none.</summary>
    public sealed class CommitFaults
    {
        /// <summary>Called once the batch's rows are written, before COMMIT: a throw is a commit that never happened.</summary>
        public Func<Task>? BeforeCommit { get; set; }

        /// <summary>Called once COMMIT returned: a throw is a commit whose acknowledgement was lost on its way back.</summary>
        public Func<Task>? AfterCommit { get; set; }
    }

    /// <summary>Where the store is, for messages (host, port and database; never the password).</summary>
    public string Where => Describe(_db);

    public string? LastFailure => _lastFailure;

    /// <summary>Transactions committed and rows written, for benchmarks.</summary>
    public (long Commits, long Rows) Stats => (Interlocked.Read(ref _commits), Interlocked.Read(ref _rows));

    public static string Describe(NpgsqlDataSource db)
    {
        var builder = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        return $"PostgreSQL at {builder.Host}:{builder.Port}, database {builder.Database ?? builder.Username}";
    }

    private abstract record Pending
    {
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record MissionWrite(string MissionId, int Expected, MissionEvent[] Events, string[] Lines) : Pending;

    private sealed record ChatWrite(string SessionId, int Expected, ChatMessage[] Messages, string[] Lines) : Pending;

    public async Task<bool> AppendAsync(string streamId, IReadOnlyList<MissionEvent> events, int expectedVersion)
    {
        if (events.Count == 0)
        {
            return true;
        }
        if (!_appending.TryEnter(streamId))
        {
            return false; // another append of this mission is on its way: the version moves under this one
        }
        try
        {
            var numbered = MissionAppend.Number(streamId, events, expectedVersion);
            var append = new MissionWrite(streamId, expectedVersion, numbered, Lines(numbered, MissionsJson.Context.MissionEvent));
            _pending.Writer.TryWrite(append);
            return await append.Done.Task;
        }
        finally
        {
            _appending.Exit(streamId);
        }
    }

    public async Task<bool> AppendAsync(string streamId, IReadOnlyList<ChatMessage> events, int expectedVersion)
    {
        if (events.Count == 0)
        {
            return true;
        }
        if (!_chatsAppending.TryEnter(streamId))
        {
            return false;
        }
        try
        {
            var numbered = ChatAppend.Number(streamId, events, expectedVersion);
            var append = new ChatWrite(streamId, expectedVersion, numbered, Lines(numbered, MissionsJson.Context.ChatMessage));
            _pending.Writer.TryWrite(append);
            return await append.Done.Task;
        }
        finally
        {
            _chatsAppending.Exit(streamId);
        }
    }

    private static string[] Lines<T>(IReadOnlyList<T> items, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var (payload, lines) = JsonlLines.Serialize(items, type);
        return Array.ConvertAll(lines, l => Encoding.UTF8.GetString(payload, l.Start, l.Length));
    }


    /// <summary>
    /// What a client is told when the store cannot be reached: that it is unavailable and to try again — not where it
    /// is or what the driver said (those go to this process's log, with the exception).
    /// </summary>
    private LogWriteException Unavailable(string what, Exception ex)
    {
        LogUnavailable(_logger, ex, what, Where);
        return new($"The mission store could not be {what} just now; try again in a few seconds.");
    }

    /// <summary>The group commit: whatever has gathered goes in one transaction.</summary>
    private async Task WriteLoopAsync()
    {
        var reader = _pending.Reader;
        var batch = new List<Pending>(MaxBatch);
        while (await reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            try
            {
                var won = await CommitAsync(batch);
                _lastFailure = null;
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult(pending switch { MissionWrite m => won.Missions.Contains(m.MissionId), ChatWrite c => won.Chats.Contains(c.SessionId), _ => true });
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                // The commit may have happened (the connection broke as its acknowledgement came back): what each
                // caller is told is read back from the store, so none is told it failed when its lines are there, nor
                // that it succeeded when they are not.
                var settled = await ReadBackAsync(batch);
                var failure = Unavailable("written", ex);
                _lastFailure = failure.Message;
                LogCommitFailed(_logger, ex, batch.Count, settled?.Count(s => s.Value) ?? 0);
                foreach (var pending in batch)
                {
                    if (settled is not null && settled.TryGetValue(pending, out var outcome))
                    {
                        pending.Done.TrySetResult(outcome);
                    }
                    else
                    {
                        pending.Done.TrySetException(failure);
                    }
                }
            }
            batch.Clear();
        }
    }

    /// <summary>Writes one batch in one transaction; returns the missions and conversations whose append won its version.</summary>
    private async Task<(HashSet<string> Missions, HashSet<string> Chats)> CommitAsync(List<Pending> batch)
    {
        var missions = batch.OfType<MissionWrite>().ToList();
        var chats = batch.OfType<ChatWrite>().ToList();
        await using var connection = await _db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var commands = new NpgsqlBatch(connection, transaction);
        commands.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(@lock)") { Parameters = { new("lock", CommitLock) } });
        if (missions.Count > 0)
        {
            commands.BatchCommands.Add(MissionsCommand(missions));
        }
        var rows = missions.Sum(m => m.Events.Length);
        if (chats.Count > 0)
        {
            rows += chats.Sum(c => c.Messages.Length);
            commands.BatchCommands.Add(ChatsCommand(chats));
        }
        // The notification says which streams moved, so a mirror reads only those.
        commands.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_notify('{Channel}', '{(missions.Count > 0 ? MissionsMoved : "")}{(chats.Count > 0 ? ChatsMoved : "")}')"));

        var won = new HashSet<string>(StringComparer.Ordinal);
        var chatsWon = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await commands.ExecuteReaderAsync())
        {
            // Result sets: the lock's, then the winning missions' (with missions in the batch), the winning
            // conversations' (with chats), then the notification's.
            if (missions.Count > 0 && await reader.NextResultAsync())
            {
                while (await reader.ReadAsync())
                {
                    won.Add(reader.GetString(0));
                }
            }
            if (chats.Count > 0 && await reader.NextResultAsync())
            {
                while (await reader.ReadAsync())
                {
                    chatsWon.Add(reader.GetString(0));
                }
            }
        }
        if (_faults?.BeforeCommit is { } beforeCommit)
        {
            await beforeCommit();
        }
        await transaction.CommitAsync();
        if (_faults?.AfterCommit is { } afterCommit)
        {
            await afterCommit();
        }
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _rows, rows);
        return (won, chatsWon);
    }

    /// <summary>
    /// After a commit that failed, what became of each append: true when its first line is in the store (it committed),
    /// false when another writer's line holds its version (it lost, and wrote nothing); left out when nothing is at its
    /// version (it did not commit). Read under the commit lock, which a commit holds until it has committed or rolled
    /// back — so one still on its way (its COMMIT sent as the connection broke) is waited for, not misread. Null when
    /// the store cannot be read either.
    /// </summary>
    private async Task<Dictionary<Pending, bool>?> ReadBackAsync(List<Pending> batch)
    {
        try
        {
            var missions = batch.OfType<MissionWrite>().ToList();
            var chats = batch.OfType<ChatWrite>().ToList();
            await using var connection = await _db.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@lock)", connection, transaction) { Parameters = { new("lock", CommitLock) } })
            {
                await take.ExecuteNonQueryAsync();
            }
            var settled = new Dictionary<Pending, bool>();
            await ReadFirstLinesAsync("mission_events", "mission_id", missions, m => (m.MissionId, m.Expected + 1, m.Lines[0]));
            await ReadFirstLinesAsync("chat_messages", "session_id", chats, c => (c.SessionId, c.Expected + 1, c.Lines[0]));
            return settled;

            async Task ReadFirstLinesAsync<T>(string table, string key, List<T> writes, Func<T, (string Stream, int Seq, string Line)> first) where T : Pending
            {
                if (writes.Count == 0)
                {
                    return;
                }
                var wanted = writes.Select(first).ToList();
                await using var read = new NpgsqlCommand(
                    $"SELECT t.{key}, t.seq, t.line FROM {table} t JOIN unnest(@streams, @seqs) AS w(s, q) ON t.{key} = w.s AND t.seq = w.q",
                    connection, transaction)
                {
                    Parameters = { new("streams", wanted.Select(w => w.Stream).ToArray()), new("seqs", wanted.Select(w => w.Seq).ToArray()) },
                };
                var stored = new Dictionary<(string, int), string>();
                await using (var reader = await read.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        stored[(reader.GetString(0), reader.GetInt32(1))] = reader.GetString(2);
                    }
                }
                for (var i = 0; i < writes.Count; i++)
                {
                    if (stored.TryGetValue((wanted[i].Stream, wanted[i].Seq), out var line))
                    {
                        settled[writes[i]] = line == wanted[i].Line;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            LogReadBackFailed(_logger, ex);
            return null;
        }
    }

    /// <summary>
    /// One statement for every chat append of the batch: a conversation's messages go in only when its last message
    /// is still the one its writer expected (the statement sees the table as it was before it, and the commit lock
    /// keeps other writers out until it commits), so a lost race writes nothing. Returns the conversations that won.
    /// </summary>
    private static NpgsqlBatchCommand ChatsCommand(List<ChatWrite> appends) => new(
        """
        INSERT INTO chat_messages (session_id, seq, line)
        SELECT c.s, c.q, c.l FROM unnest(@s, @q, @l, @e) WITH ORDINALITY AS c(s, q, l, e, o)
        WHERE COALESCE((SELECT max(m.seq) FROM chat_messages m WHERE m.session_id = c.s), 0) = c.e
        ORDER BY c.o
        RETURNING session_id
        """)
    {
        Parameters =
        {
            new("s", appends.SelectMany(c => c.Messages.Select(m => m.SessionId)).ToArray()),
            new("q", appends.SelectMany(c => c.Messages.Select(m => m.Seq)).ToArray()),
            new("l", appends.SelectMany(c => c.Lines).ToArray()),
            new("e", appends.SelectMany(c => c.Messages.Select(_ => c.Expected)).ToArray()),
        },
    };

    /// <summary>
    /// One statement for every mission append of the batch: each mission's row moves from its expected version to the
    /// new one (or is created, at version 0), and the events of the appends that did are inserted, in order.
    /// Returns the ids of the missions whose append won.
    /// </summary>
    private static NpgsqlBatchCommand MissionsCommand(List<MissionWrite> appends)
    {
        var n = appends.Count;
        var ids = new string[n];
        var expected = new int[n];
        var versions = new int[n];
        var created = new bool[n];
        var revised = new bool[n];
        var statuses = new string?[n];
        var priorities = new short[n];
        var notBefore = new long[n];
        for (var i = 0; i < n; i++)
        {
            var a = appends[i];
            ids[i] = a.MissionId;
            expected[i] = a.Expected;
            versions[i] = a.Expected + a.Events.Length;
            var creation = a.Events.OfType<MissionCreated>().FirstOrDefault();
            var revision = a.Events.OfType<MissionRevised>().LastOrDefault();
            created[i] = creation is not null;
            revised[i] = revision is not null;
            priorities[i] = (short)(revision?.Priority ?? creation?.Priority ?? MissionPriority.Normal);
            var last = a.Events.OfType<MissionStatusUpdated>().LastOrDefault();
            statuses[i] = last?.Status.ToWireName();
            notBefore[i] = last?.RetryAt?.Ticks ?? 0;
        }
        var events = appends.SelectMany(a => a.Events).ToArray();
        return new NpgsqlBatchCommand(
            """
            WITH input AS (
                SELECT * FROM unnest(@ids, @expected, @versions, @created, @revised, @statuses, @priorities, @not_before)
                    AS u(mission_id, expected, version, created, revised, status, priority, not_before)
            ),
            inserted AS (
                INSERT INTO missions (mission_id, version, created, status, priority, not_before)
                SELECT mission_id, version, created, coalesce(status, 'proposed'), priority, not_before FROM input WHERE expected = 0
                ON CONFLICT (mission_id) DO NOTHING
                RETURNING mission_id
            ),
            updated AS (
                UPDATE missions m SET
                    version = u.version,
                    created = m.created OR u.created,
                    priority = CASE WHEN u.created OR u.revised THEN u.priority ELSE m.priority END,
                    status = coalesce(u.status, m.status),
                    not_before = CASE WHEN u.status IS NULL THEN m.not_before ELSE u.not_before END
                FROM input u
                WHERE u.expected > 0 AND m.mission_id = u.mission_id AND m.version = u.expected
                RETURNING m.mission_id
            ),
            won AS (SELECT mission_id FROM inserted UNION ALL SELECT mission_id FROM updated),
            appended AS (
                INSERT INTO mission_events (mission_id, seq, line)
                SELECT e.mission_id, e.seq, e.line
                FROM unnest(@event_ids, @seqs, @lines) WITH ORDINALITY AS e(mission_id, seq, line, o)
                WHERE e.mission_id IN (SELECT mission_id FROM won)
                ORDER BY e.o
                RETURNING 1
            )
            SELECT mission_id FROM won
            """)
        {
            Parameters =
            {
                new("ids", ids), new("expected", expected), new("versions", versions), new("created", created), new("revised", revised),
                new("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = statuses },
                new("priorities", priorities), new("not_before", notBefore),
                new("event_ids", events.Select(e => e.MissionId).ToArray()),
                new("seqs", events.Select(e => e.Seq).ToArray()),
                new("lines", appends.SelectMany(a => a.Lines).ToArray()),
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writing;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The mission store ({Where}) could not be {What}")]
    private static partial void LogUnavailable(ILogger logger, Exception ex, string what, string where);

    [LoggerMessage(Level = LogLevel.Error, Message = "A commit of {Count} appends to the mission store failed; read back, {Committed} of them had committed after all; each caller was told what became of its append")]
    private static partial void LogCommitFailed(ILogger logger, Exception ex, int count, int committed);

    [LoggerMessage(Level = LogLevel.Error, Message = "After a failed commit, the mission store could not be read back either; the callers were told their appends failed")]
    private static partial void LogReadBackFailed(ILogger logger, Exception ex);
}
