namespace Missions.Chat;

/// <summary>A person's message.</summary>
[GenerateSerializer, Immutable, Alias("missions.ChatRequest")]
public sealed record ChatRequest
{
    public const int MaxMessageLength = 4000;

    [Id(0)] public required string Message { get; init; }

    /// <summary>Optional: the same id sent twice gets the first answer again and starts nothing new.</summary>
    [Id(1)] public string? ClientMessageId { get; init; }

    /// <summary>Optional: overrides the priority the message's words suggest ("urgent", "no rush").</summary>
    [Id(2)] public MissionPriority? Priority { get; init; }

    /// <summary>Who sends it: the person the conversation belongs to (checked at the edge before it gets here).</summary>
    [Id(3)] public string Owner { get; init; } = Owners.Local;
}
