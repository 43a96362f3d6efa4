namespace Missions;

/// <summary>Who made a decision (cancel, retry, approve, reject, pause, resume, delete), and where: recorded on its line.</summary>
[GenerateSerializer, Immutable, Alias("missions.Actor")]
public sealed record Actor
{
    /// <summary>The person's id (<see cref="Owners"/>).</summary>
    [Id(0)] public required string PersonId { get; init; }

    /// <summary><c>chat</c> or <c>api</c> (<see cref="MissionDecisions"/>).</summary>
    [Id(1)] public required string Via { get; init; }

    public static Actor Api(string personId) => new() { PersonId = personId, Via = MissionDecisions.Api };

    public static Actor Chat(string personId) => new() { PersonId = personId, Via = MissionDecisions.Chat };
}
