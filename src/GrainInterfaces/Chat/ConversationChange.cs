namespace Missions.Chat;

/// <summary>What a person changes of a conversation: its title, whether it is archived (null: left as it is).</summary>
[GenerateSerializer, Immutable, Alias("missions.ConversationChange")]
public sealed record ConversationChange
{
    [Id(0)] public string? Title { get; init; }
    [Id(1)] public bool? Archived { get; init; }
}
