namespace Missions.Chat;

/// <summary>A stretch of a conversation, oldest message first.</summary>
[GenerateSerializer, Immutable, Alias("missions.ChatPage")]
public sealed record ChatPage
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    [Id(0)] public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Older messages come before the first one here.</summary>
    [Id(1)] public bool HasEarlier { get; init; }

    /// <summary>Newer messages come after the last one here.</summary>
    [Id(2)] public bool HasLater { get; init; }
}
