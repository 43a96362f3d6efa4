namespace Missions.Chat;

/// <summary>One message of a conversation, and one line of <c>chat_sessions.jsonl</c>.</summary>
[GenerateSerializer, Immutable, Alias("missions.ChatMessage")]
public sealed record ChatMessage
{
    public const string UserRole = "user";
    public const string AssistantRole = "assistant";

    /// <summary>A change of the conversation itself, not something said: <see cref="ReplyType"/> says which (<see cref="Renamed"/>, <see cref="Archived"/>, <see cref="Restored"/>).</summary>
    public const string ConversationRole = "conversation";

    /// <summary>The person named the conversation: <see cref="Text"/> is its title from then on.</summary>
    public const string Renamed = "conversation_renamed";

    /// <summary>The person put the conversation away: lists leave it out until it is restored or written in.</summary>
    public const string Archived = "conversation_archived";

    /// <summary>The person brought an archived conversation back into the list.</summary>
    public const string Restored = "conversation_restored";

    /// <summary>The person has seen the conversation up to message <see cref="ReadThrough"/>: its results before that are not "new" in any of their browsers.</summary>
    public const string Read = "conversation_read";

    [Id(0)] public required string SessionId { get; init; }
    [Id(1)] public int Seq { get; init; }
    [Id(2)] public required DateTime Timestamp { get; init; }

    /// <summary><c>user</c>, <c>assistant</c>, or <c>conversation</c> (<see cref="ConversationRole"/>).</summary>
    [Id(3)] public required string Role { get; init; }
    [Id(4)] public required string Text { get; init; }

    /// <summary>The mission this message started or reports on.</summary>
    [Id(5)] public string? MissionId { get; init; }

    /// <summary>On a user message: the client's id for it; on the answer: the id it answers.</summary>
    [Id(6)] public string? ClientMessageId { get; init; }

    /// <summary>On an answer: the envelope type (<c>mission_started</c>, <c>mission_proposed</c>, <c>reply</c>, <c>mission_update</c>).</summary>
    [Id(7)] public string? ReplyType { get; init; }

    /// <summary>On an answer about a mission: its status then.</summary>
    [Id(8)] public MissionStatus? Status { get; init; }

    /// <summary>On a mission update: the attempt it reports on.</summary>
    [Id(9)] public int? Attempt { get; init; }

    /// <summary>On an answer about a schedule: its id.</summary>
    [Id(10)] public string? ScheduleId { get; init; }

    /// <summary>On a conversation's first message: the person it belongs to (<see cref="Owners"/>); none on conversations begun before owners were recorded.</summary>
    [Id(11)] public string? Owner { get; init; }

    /// <summary>On <see cref="Read"/>: the last message seen (its <see cref="Seq"/>).</summary>
    [Id(12)] public int? ReadThrough { get; init; }
}
