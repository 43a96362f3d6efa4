namespace Missions;

/// <summary>
/// A line this build does not know — written by a newer one (a rolling upgrade, a downgrade after one). Its line is
/// kept verbatim in the log and the mirror; here it is only its place in its stream, so the stream's version stays
/// right and nothing stops on it: the folds count it and change nothing, a mission's timeline lists it as
/// <c>unknown</c> with its original type, the live stream passes it on.
/// </summary>
[GenerateSerializer, Immutable, Alias("missions.UnknownEvent")]
public sealed record UnknownEvent : MissionEvent
{
    public const string EventType = "unknown";

    /// <summary>The line's own <c>event_type</c>.</summary>
    [Id(0)] public required string OriginalEventType { get; init; }
}
