namespace Missions.Chat;

/// <summary>What a person changes of a conversation: its title, whether it is archived (null: left as it is).</summary>
[GenerateSerializer, Immutable, Alias("missions.ConversationChange")]
public sealed record ConversationChange
{
    [Id(0)] public string? Title { get; init; }
    [Id(1)] public bool? Archived { get; init; }

    /// <summary>Its person has seen it up to this message (clamped to its last).</summary>
    [Id(2)] public int? ReadThrough { get; init; }
}
