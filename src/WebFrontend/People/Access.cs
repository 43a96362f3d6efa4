using Missions.Log;

namespace Missions.Web.People;

/// <summary>
/// The one place that says what a person may see and steer: their own conversations, missions and schedules, and
/// everything for an operator. Everything is checked against the index this process keeps (or the id itself, for a
/// conversation), so asking after an id that does not exist activates no grain and keeps nothing in memory; another
/// person's object answers as one that does not exist (404), so its existence is not confirmed.
/// </summary>
public sealed class Access(MissionLogReader missions, ServerKey key, IServiceProvider services)
{
    /// <summary>The conversations' index, where this process has one (the embedded default, the store's mirror).</summary>
    private readonly ChatLog? _chats = services.GetService<ChatLog>();

    /// <summary>A mission or a schedule (its stream is in the same log).</summary>
    public bool MaySee(Person person, string id) => person.MaySee(missions.Index.OwnerOf(id));

    /// <summary>
    /// A conversation the person may write in: one the server made for them (its id proves it, no look-up), or one begun
    /// before ids were the server's that the index says is theirs.
    /// </summary>
    public bool MayWriteTo(Person person, string sessionId) =>
        Ids.IsSessionOf(key.Key, sessionId, person.Id) || (_chats?.OwnerOf(sessionId) is { } owner && owner == person.Id);

    /// <summary>A conversation the person may read: their own, or any that exists for an operator.</summary>
    public bool MayRead(Person person, string sessionId) =>
        MayWriteTo(person, sessionId) || (person.IsOperator && _chats?.OwnerOf(sessionId) is not null);

    private readonly string? _dataDirectory = services.GetService<Microsoft.Extensions.Options.IOptions<MissionsOptions>>()?.Value.DataDirectory;

    /// <summary>
    /// A mission the live log no longer has, read from the archive (<c>Missions:Retention:EndedMissionDays</c>) when it
    /// is the person's (or they are an operator); null otherwise. The archive's ids are looked up on disk first: an
    /// unknown id reads no month.
    /// </summary>
    public IReadOnlyList<MissionEvent>? ArchivedMission(Person person, string missionId) =>
        _dataDirectory is not null && missions.Index.OwnerOf(missionId) is null
        && MissionArchive.Read(_dataDirectory, missionId) is [MissionCreated created, ..] archived && person.MaySee(created.Owner)
            ? archived
            : null;

    /// <summary>
    /// A conversation moved to the archive (<c>Missions:Retention:IdleConversationDays</c>): none of its lines is live and
    /// the archive holds it. Looked up on disk only for a conversation with no live line.
    /// </summary>
    public bool IsArchived(string sessionId) =>
        _chats is not null && _dataDirectory is not null && _chats.CountOf(sessionId) == 0 && ChatArchive.Holds(_dataDirectory, sessionId);

    /// <summary>An archived conversation's messages (see <see cref="IsArchived"/>), or null.</summary>
    public IReadOnlyList<global::Missions.Chat.ChatMessage>? ArchivedConversation(string sessionId) =>
        _chats is not null && _dataDirectory is not null && _chats.CountOf(sessionId) == 0 ? ChatArchive.Read(_dataDirectory, sessionId) : null;

    /// <summary>A new conversation's id for the person.</summary>
    public string NewSessionId(Person person) => Ids.NewSessionId(key.Key, person.Id);

    /// <summary>The person's conversations, the one that moved last first (none where this process keeps no index of them).</summary>
    public IReadOnlyList<ChatLog.ConversationInfo> ConversationsOf(Person person, int limit, bool archived = false) =>
        _chats?.ConversationsOf(person.Id, limit, archived) ?? [];
}
