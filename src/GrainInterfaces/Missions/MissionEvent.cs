using System.Text.Json.Serialization;

namespace Missions;

/// <summary>
/// One change of a mission: one line of <c>missions.jsonl</c>. The log is the source of truth;
/// <see cref="MissionState"/> is the fold of these events.
/// </summary>
[GenerateSerializer, Immutable, Alias("missions.MissionEvent")]
[JsonPolymorphic(TypeDiscriminatorPropertyName = "event_type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(MissionCreated), MissionCreated.EventType)]
[JsonDerivedType(typeof(MissionStatusUpdated), MissionStatusUpdated.EventType)]
[JsonDerivedType(typeof(MissionReused), MissionReused.EventType)]
[JsonDerivedType(typeof(MissionProgress), MissionProgress.EventType)]
[JsonDerivedType(typeof(MissionRevised), MissionRevised.EventType)]
[JsonDerivedType(typeof(ScheduleCreated), ScheduleCreated.EventType)]
[JsonDerivedType(typeof(ScheduleFired), ScheduleFired.EventType)]
[JsonDerivedType(typeof(ScheduleStateChanged), ScheduleStateChanged.EventType)]
[JsonDerivedType(typeof(ScheduleRunCompared), ScheduleRunCompared.EventType)]
[JsonDerivedType(typeof(UnknownEvent), UnknownEvent.EventType)]
public abstract record MissionEvent
{
    /// <summary>
    /// The stream the event belongs to: a mission's id, or for a schedule's events (<see cref="ScheduleEvent"/>) the
    /// schedule's — schedules are streams of the same store. (Named for the line's <c>mission_id</c>, which the wire keeps.)
    /// </summary>
    [Id(0), JsonPropertyOrder(-3)] public required string MissionId { get; init; }

    /// <summary>The mission's version after this event: 1, 2, 3 … (assigned when the line is appended).</summary>
    [Id(1), JsonPropertyOrder(-2)] public int Seq { get; init; }

    [Id(2), JsonPropertyOrder(-1)] public required DateTime Timestamp { get; init; }

    /// <summary>The trace of the work that caused this change (OpenTelemetry), when it was traced.</summary>
    [Id(3)] public string? TraceId { get; init; }
}
