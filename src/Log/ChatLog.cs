using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Missions.Chat;

namespace Missions.Log;

/// <summary><c>chat_sessions.jsonl</c>: every conversation's messages, indexed by session so one reads only its own.</summary>
public sealed class ChatLog : IChatStore, IWrittenLog, IAsyncDisposable
{
    private readonly JsonlFile _file;
    private readonly Dictionary<string, Conversation> _bySession = new(StringComparer.Ordinal);
    private readonly MissionAppend.InFlight _appending = new();

    /// <summary><see cref="Add"/>, made a delegate once (not at every append).</summary>
    private readonly Action<ChatMessage, LineRef> _indexLine;

    /// <summary>Each owner's conversations, oldest first.</summary>
    private readonly Dictionary<string, List<Conversation>> _byOwner = new(StringComparer.Ordinal);

    /// <summary>One conversation: where its lines are, whose it is, what it is about and when it last moved.</summary>
    private sealed class Conversation(string sessionId, string owner)
    {
        public readonly string SessionId = sessionId;
        public readonly string Owner = owner;
        public readonly List<LineRef> Lines = [];
        public readonly ConversationHeading Heading = new();
        public DateTime StartedAt;
        public DateTime LastAt;
    }

    /// <summary>What a list of conversations shows of one.</summary>
    public readonly record struct ConversationInfo(string SessionId, string Owner, string Title, int Messages, DateTime StartedAt, DateTime LastAt, bool Archived, bool Unread, int ReadThrough);

    private readonly string _dataDirectory;

    public ChatLog(IOptions<MissionsOptions> options, ILogger<ChatLog> logger)
    {
        _dataDirectory = Path.GetFullPath(options.Value.DataDirectory);
        _file = JsonlFile.Open(options.Value.PathOf(LogFiles.ChatSessions), (line, where) =>
        {
            if (ParseOrNull(line) is not { } message)
            {
                return false;
            }
            Add(message, where);
            return true;
        }, logger);
        Feed = new LogFeed<ChatMessage>(_file.ReadHandle, ParseOrNull, _file.Opened.CompleteLength);
        _indexLine = Add;
    }

    /// <summary>The log's durable lines, in file order, from any position.</summary>
    public LogFeed<ChatMessage> Feed { get; }

    /// <summary>Parses one line of the chat log; null when it is not a message.</summary>
    public static ChatMessage? ParseOrNull(ReadOnlySpan<byte> line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, MissionsJson.Context.ChatMessage);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The session's messages from position <paramref name="from"/> (0 is its first), at most
    /// <paramref name="count"/>, oldest first; read from the file, nothing is kept in memory.</summary>
    public IReadOnlyList<ChatMessage> Read(string sessionId, int from, int count) => Array.ConvertAll(LinesOf(sessionId, from, count), Parse);

    public ValueTask<IReadOnlyList<ChatMessage>> ReadAsync(string sessionId, int from, int count) => ValueTask.FromResult(Read(sessionId, from, count));

    /// <summary>How many messages the session has.</summary>
    public int CountOf(string sessionId)
    {
        lock (_bySession)
        {
            return _bySession.TryGetValue(sessionId, out var conversation) ? conversation.Lines.Count : 0;
        }
    }

    /// <summary>Whose the conversation is, or null when it has no message.</summary>
    public string? OwnerOf(string sessionId)
    {
        lock (_bySession)
        {
            return _bySession.TryGetValue(sessionId, out var conversation) ? conversation.Owner : null;
        }
    }

    /// <summary>An owner's conversations, archived or not, the one that moved last first: at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<ConversationInfo> ConversationsOf(string owner, int limit, bool archived = false)
    {
        lock (_bySession)
        {
            return _byOwner.TryGetValue(owner, out var list)
                ? list.Where(c => c.Heading.Archived == archived).OrderByDescending(c => c.LastAt).Take(limit)
                    .Select(c => new ConversationInfo(c.SessionId, c.Owner, c.Heading.Title, c.Heading.Said, c.StartedAt, c.LastAt, c.Heading.Archived, c.Heading.Unread, c.Heading.ReadThrough)).ToList()
                : [];
        }
    }

    private LineRef[] LinesOf(string sessionId, int from, int count)
    {
        lock (_bySession)
        {
            return _bySession.TryGetValue(sessionId, out var conversation) && conversation.Lines is var list && from < list.Count
                ? CollectionsMarshal.AsSpan(list).Slice(from, Math.Min(count, list.Count - from)).ToArray()
                : [];
        }
    }

    private ChatMessage Parse(LineRef line) => JsonSerializer.Deserialize(_file.ReadLine(line), MissionsJson.Context.ChatMessage)!;

    public async Task<bool> AppendAsync(string streamId, IReadOnlyList<ChatMessage> events, int expectedVersion)
    {
        if (events.Count == 0)
        {
            return true;
        }
        if (!_appending.TryEnter(streamId, () => CountOf(streamId) == expectedVersion))
        {
            return false;
        }
        try
        {
            if (expectedVersion == 0 && ChatArchive.Holds(_dataDirectory, streamId))
            {
                // Moved to the archive (Missions:Retention): begun again it would be a second conversation under its id.
                throw new ConversationArchivedException(streamId);
            }
            var numbered = ChatAppend.Number(streamId, events, expectedVersion);
            var (payload, lines) = JsonlLines.Serialize(numbered, MissionsJson.Context.ChatMessage);
            await _file.AppendAsync(numbered, payload, lines, _indexLine, Feed);
            return true;
        }
        finally
        {
            _appending.Exit(streamId);
        }
    }

    public ValueTask<IReadOnlyList<ChatMessage>> ReadStreamAsync(string streamId) => ReadAsync(streamId, 0, int.MaxValue);

    /// <summary>The last line of the log: its session and the message's <c>seq</c>, or null for an empty log.</summary>
    public (string SessionId, int Seq)? LastLine
    {
        get { lock (_bySession) { return _last; } }
    }

    private (string SessionId, int Seq)? _last;

    /// <summary>Appends lines another store already serialized (a mirror of it), in its order.</summary>
    public Task AppendMirroredAsync(IReadOnlyList<ChatMessage> messages, IReadOnlyList<byte[]> lines)
    {
        if (messages.Count == 0)
        {
            return Task.CompletedTask;
        }
        var (payload, starts) = JsonlLines.Join(lines);
        return _file.AppendAsync(messages, payload, JoinedLines.Of(starts, lines), _indexLine, Feed);
    }

    private void Add(ChatMessage message, LineRef line)
    {
        var sessionId = message.SessionId;
        lock (_bySession)
        {
            _last = (sessionId, message.Seq);
            if (!_bySession.TryGetValue(sessionId, out var conversation))
            {
                // Its first line says whose it is (none: begun before owners were recorded, the local owner's).
                var owner = Owners.Of(message.Owner);
                _bySession[sessionId] = conversation = new Conversation(sessionId, owner) { StartedAt = message.Timestamp };
                if (!_byOwner.TryGetValue(owner, out var owned))
                {
                    _byOwner[owner] = owned = [];
                }
                owned.Add(conversation);
            }
            conversation.Heading.Apply(message);
            if (message.ReplyType != ChatMessage.Read)
            {
                conversation.LastAt = message.Timestamp; // looking at a conversation does not move it up the list
            }
            conversation.Lines.Add(line);
        }
    }

    /// <summary>Why the last write failed, or null when it succeeded.</summary>
    public string? LastFailure => _file.Appender.LastFailure;

    public AppenderStats Stats => _file.Appender.Stats;

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}

/// <summary>A conversation that was moved to the archive (<c>Missions:Retention:IdleConversationDays</c>): read, not continued.</summary>
public sealed class ConversationArchivedException(string sessionId)
    : InvalidOperationException($"Conversation {sessionId} was idle longer than this server keeps conversations live and was moved to the archive: "
        + "it can be read, not continued. Start a new conversation.");
