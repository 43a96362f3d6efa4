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

    /// <summary>
    /// Which positions [From, To) of a conversation of <paramref name="count"/> messages a page shows: the
    /// <paramref name="limit"/> after message <paramref name="afterSeq"/>, or those before <paramref name="beforeSeq"/>
    /// (the newest when neither is given). Message n (its seq) is at position n - 1.
    /// </summary>
    public static (int From, int To) Window(int count, int? beforeSeq, int? afterSeq, int limit)
    {
        limit = Math.Clamp(limit, 1, MaxLimit);
        if (afterSeq is { } after)
        {
            var from = Math.Clamp(after, 0, count);
            return (from, Math.Min(count, from + limit));
        }
        var to = Math.Clamp((beforeSeq ?? count + 1) - 1, 0, count);
        return (Math.Max(0, to - limit), to);
    }
}
