using System.Text.Json.Serialization;

namespace Missions;

/// <summary>How soon a mission should run: dispatch is by priority, then first in, first out (with ageing).</summary>
[GenerateSerializer, Alias("missions.MissionPriority")]
[JsonConverter(typeof(JsonStringEnumConverter<MissionPriority>))]
public enum MissionPriority
{
    [JsonStringEnumMemberName("high")] High = 0,
    [JsonStringEnumMemberName("normal")] Normal = 1,
    [JsonStringEnumMemberName("low")] Low = 2,
}
