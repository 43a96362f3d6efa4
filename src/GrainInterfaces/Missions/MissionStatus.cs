using System.Text.Json.Serialization;

namespace Missions;

/// <summary>Where a mission is in its life: proposed → queued → active → one of the terminal states.</summary>
[GenerateSerializer, Alias("missions.MissionStatus")]
[JsonConverter(typeof(JsonStringEnumConverter<MissionStatus>))]
public enum MissionStatus
{
    [JsonStringEnumMemberName("proposed")] Proposed,
    [JsonStringEnumMemberName("queued")] Queued,
    [JsonStringEnumMemberName("active")] Active,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    [JsonStringEnumMemberName("timed_out")] TimedOut,
}
