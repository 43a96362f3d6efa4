namespace Missions.Chat;

/// <summary>The envelope <c>POST /chat/integrated</c> answers with.</summary>
[GenerateSerializer, Immutable, Alias("missions.ChatResponse")]
public sealed record ChatResponse
{
    public const string MissionStarted = "mission_started";

    /// <summary>A mission was proposed: it runs once the person approves it.</summary>
    public const string MissionProposed = "mission_proposed";

    /// <summary>A schedule was set: it makes a mission at each firing.</summary>
    public const string ScheduleCreated = "schedule_created";

    /// <summary>The answer started or proposed a mission.</summary>
    public static bool IsMissionAnswer(string? type) => type is MissionStarted or MissionProposed;
    public const string Reply = "reply";

    /// <summary>The reply type of the chat message that posts a mission's outcome back into its session.</summary>
    public const string MissionUpdate = "mission_update";

    /// <summary><c>mission_started</c>, <c>mission_proposed</c> or <c>reply</c>.</summary>
    [Id(0)] public required string Type { get; init; }
    [Id(1)] public required string SessionId { get; init; }

    /// <summary>The text for the person.</summary>
    [Id(2)] public required string Message { get; init; }
    [Id(3)] public string? MissionId { get; init; }
    [Id(4)] public MissionStatus? Status { get; init; }

    /// <summary>On <c>schedule_created</c> (and answers about a schedule): the schedule's id.</summary>
    [Id(5)] public string? ScheduleId { get; init; }
}
