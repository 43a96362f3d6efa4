namespace Missions;

/// <summary>
/// A running mission read a page (or tried to): one line per page, so the whiteboard can say "read 3 of 5 pages"
/// live. The tool call carries an idempotency key, the same on every attempt, so a retried attempt finds what an
/// earlier one fetched.
/// </summary>
[GenerateSerializer, Immutable, Alias("missions.MissionProgress")]
public sealed record MissionProgress : MissionEvent
{
    public const string EventType = "mission_progress";

    [Id(0)] public required int Attempt { get; init; }

    /// <summary>Pages this attempt has fetched (or reused) so far, this one included.</summary>
    [Id(1)] public required int PagesRead { get; init; }

    [Id(2)] public required int MaxPages { get; init; }

    [Id(3)] public required ToolCall ToolCall { get; init; }
}

/// <summary>One call of an executor's tool, as recorded on the mission's timeline.</summary>
[GenerateSerializer, Immutable, Alias("missions.ToolCall")]
public sealed record ToolCall
{
    public const string Fetched = "fetched";
    public const string Reused = "reused";
    public const string Skipped = "skipped";
    public const string Failed = "failed";

    /// <summary>The call's idempotency key: derived from the mission, the tool and its input, so every attempt agrees.</summary>
    [Id(0)] public required string Key { get; init; }

    [Id(1)] public required string Tool { get; init; }

    [Id(2)] public required string Url { get; init; }

    /// <summary><c>fetched</c>, <c>reused</c> (from an earlier attempt), <c>skipped</c> (not readable) or <c>failed</c>.</summary>
    [Id(3)] public required string Outcome { get; init; }

    [Id(4)] public string? Title { get; init; }

    [Id(5)] public string? Error { get; init; }
}
