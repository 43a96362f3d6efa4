using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Missions.Chat;

namespace Missions.Log;

/// <summary><c>chat_sessions.jsonl</c>: every conversation's messages, indexed by session so one reads only its own.</summary>
public sealed class ChatLog : IAsyncDisposable
{
    private readonly JsonlFile _file;
    private readonly Dictionary<string, List<LineRef>> _bySession = new(StringComparer.Ordinal);

    public ChatLog(IOptions<MissionsOptions> options, ILogger<ChatLog> logger)
    {
        _file = JsonlFile.Open(options.Value.PathOf(LogFiles.ChatSessions), (line, where) =>
        {
            try
            {
                var message = JsonSerializer.Deserialize(line, MissionsJson.Context.ChatMessage);
                if (message is null)
                {
                    return false;
                }
                Add(message.SessionId, where);
                return true;
            }
            catch (JsonException)
            {
                return false;
            }
        }, logger);
    }

    /// <summary>Raised on the writer, in file order, for each message once it is durable.</summary>
    public event Action<ChatMessage>? Appended;

    /// <summary>The session's messages from position <paramref name="from"/> (0 is its first), at most
    /// <paramref name="count"/>, oldest first; read from the file, nothing is kept in memory.</summary>
    public IReadOnlyList<ChatMessage> Read(string sessionId, int from, int count) => Array.ConvertAll(LinesOf(sessionId, from, count), Parse);

    /// <summary>All the session's messages, oldest first, read one at a time.</summary>
    public IEnumerable<ChatMessage> ReadAll(string sessionId) => LinesOf(sessionId, 0, int.MaxValue).Select(Parse);

    private LineRef[] LinesOf(string sessionId, int from, int count)
    {
        lock (_bySession)
        {
            return _bySession.TryGetValue(sessionId, out var list) && from < list.Count
                ? CollectionsMarshal.AsSpan(list).Slice(from, Math.Min(count, list.Count - from)).ToArray()
                : [];
        }
    }

    private ChatMessage Parse(LineRef line) => JsonSerializer.Deserialize(_file.ReadLine(line), MissionsJson.Context.ChatMessage)!;

    /// <summary>Appends messages of one session; durable when the task completes.</summary>
    public Task AppendAsync(IReadOnlyList<ChatMessage> messages)
    {
        var (payload, lines) = JsonlLines.Serialize(messages, MissionsJson.Context.ChatMessage);
        return _file.Appender.AppendAsync(payload, lines.Length, offset =>
        {
            for (var i = 0; i < messages.Count; i++)
            {
                Add(messages[i].SessionId, new LineRef(offset + lines[i].Start, lines[i].Length));
                Appended?.Invoke(messages[i]);
            }
        });
    }

    private void Add(string sessionId, LineRef line)
    {
        lock (_bySession)
        {
            if (!_bySession.TryGetValue(sessionId, out var list))
            {
                _bySession[sessionId] = list = [];
            }
            list.Add(line);
        }
    }

    /// <summary>Why the last write failed, or null when it succeeded.</summary>
    public string? LastFailure => _file.Appender.LastFailure;

    public AppenderStats Stats => _file.Appender.Stats;

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
