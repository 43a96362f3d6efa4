using System.Text.Json.Serialization;
using Missions.Chat;
using Missions.Queue;
using Missions.Signals;

namespace Missions;

/// <summary>
/// Source-generated JSON for everything that goes into the logs or over the wire: snake_case names,
/// nulls left out, statuses as their wire names.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(MissionEvent))]
[JsonSerializable(typeof(ExecutionResult))]
[JsonSerializable(typeof(MissionView))]
[JsonSerializable(typeof(MissionSummary))]
[JsonSerializable(typeof(IReadOnlyList<MissionSummary>))]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(IReadOnlyList<ChatMessage>))]
[JsonSerializable(typeof(ChatResponse))]
[JsonSerializable(typeof(QueueStatus))]
[JsonSerializable(typeof(LearningSignal))]
public sealed partial class MissionsJsonContext : JsonSerializerContext;
