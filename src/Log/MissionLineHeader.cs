using System.Text;
using System.Text.Json;

namespace Missions.Log;

/// <summary>Which kind of event a line of the mission log holds.</summary>
public enum MissionLineKind
{
    Created,
    StatusUpdated,
    Reused,
    Progress,
    Revised,

    /// <summary>A line of a schedule's stream (<see cref="ScheduleEvent"/>): not a mission's.</summary>
    Schedule,

    /// <summary>A line of a type this build does not know (<see cref="UnknownEvent"/>): it counts in its stream's version.</summary>
    Unknown,
}

/// <summary>
/// What the index needs of one line of <c>missions.jsonl</c>: whose it is, what kind, and for a status change the
/// status and retry time, for a creation the priority. Read without building the event (no objective, no result),
/// which makes opening a large log several times faster than parsing every line whole.
/// </summary>
public readonly record struct MissionLineHeader(MissionLineKind Kind, MissionStatus Status, MissionPriority Priority, long RetryAtTicks)
{
    /// <summary>Room for any valid mission id.</summary>
    public const int MaxIdLength = 64;

    private static readonly (byte[] Name, MissionLineKind Kind)[] Kinds =
    [
        (Encoding.UTF8.GetBytes(MissionCreated.EventType), MissionLineKind.Created),
        (Encoding.UTF8.GetBytes(MissionStatusUpdated.EventType), MissionLineKind.StatusUpdated),
        (Encoding.UTF8.GetBytes(MissionReused.EventType), MissionLineKind.Reused),
        (Encoding.UTF8.GetBytes(MissionProgress.EventType), MissionLineKind.Progress),
        (Encoding.UTF8.GetBytes(MissionRevised.EventType), MissionLineKind.Revised),
        (Encoding.UTF8.GetBytes(ScheduleCreated.EventType), MissionLineKind.Schedule),
        (Encoding.UTF8.GetBytes(ScheduleFired.EventType), MissionLineKind.Schedule),
        (Encoding.UTF8.GetBytes(ScheduleStateChanged.EventType), MissionLineKind.Schedule),
        (Encoding.UTF8.GetBytes(ScheduleRunCompared.EventType), MissionLineKind.Schedule),
    ];

    private static readonly (byte[] Name, MissionStatus Status)[] Statuses =
        Enum.GetValues<MissionStatus>().Select(s => (Encoding.UTF8.GetBytes(s.ToWireName()), s)).ToArray();

    private static readonly (byte[] Name, MissionPriority Priority)[] Priorities =
        [("high"u8.ToArray(), MissionPriority.High), ("normal"u8.ToArray(), MissionPriority.Normal), ("low"u8.ToArray(), MissionPriority.Low)];

    /// <summary>The facts of an event as the writer appends it.</summary>
    public static MissionLineHeader Of(MissionEvent e) => e switch
    {
        MissionCreated c => new(MissionLineKind.Created, MissionStatus.Proposed, c.Priority, 0),
        MissionStatusUpdated u => new(MissionLineKind.StatusUpdated, u.Status, MissionPriority.Normal, u.RetryAt?.Ticks ?? 0),
        MissionReused => new(MissionLineKind.Reused, MissionStatus.Proposed, MissionPriority.Normal, 0),
        MissionProgress => new(MissionLineKind.Progress, MissionStatus.Proposed, MissionPriority.Normal, 0),
        MissionRevised r => new(MissionLineKind.Revised, MissionStatus.Proposed, r.Priority, 0),
        ScheduleEvent => new(MissionLineKind.Schedule, MissionStatus.Proposed, MissionPriority.Normal, 0),
        UnknownEvent => new(MissionLineKind.Unknown, MissionStatus.Proposed, MissionPriority.Normal, 0),
        _ => throw new ArgumentException($"Unknown mission event {e.GetType().Name}", nameof(e)),
    };

    /// <summary>
    /// Reads a line's facts, and its mission id into <paramref name="missionId"/> (at least <see cref="MaxIdLength"/>
    /// long; no string is made for it). False when the line is not a well-formed mission event: bad JSON, trailing
    /// bytes, no event type, no valid mission id, a status change without a known status. An event type this build
    /// does not know is read as <see cref="MissionLineKind.Unknown"/>.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> line, Span<char> missionId, out int idLength, out MissionLineHeader facts) =>
        TryRead(line, missionId, out idLength, [], out _, out facts);

    /// <summary>As above, and the line's <c>owner</c> (a creation line's) into <paramref name="owner"/>: 0 long when it has none.</summary>
    public static bool TryRead(ReadOnlySpan<byte> line, Span<char> missionId, out int idLength, Span<char> owner, out int ownerLength, out MissionLineHeader facts)
    {
        facts = default;
        idLength = 0;
        ownerLength = 0;
        try
        {
            var reader = new Utf8JsonReader(line, isFinalBlock: true, state: default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            MissionLineKind? kind = null;
            MissionStatus? status = null;
            var priority = MissionPriority.Normal;
            long retryAt = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("mission_id"u8))
                {
                    reader.Read();
                    idLength = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= MaxIdLength && !reader.ValueIsEscaped
                        ? reader.CopyString(missionId)
                        : 0;
                }
                else if (reader.ValueTextEquals("event_type"u8))
                {
                    reader.Read();
                    // A type this build does not know is a newer build's line: still a line of its stream.
                    kind = reader.TokenType == JsonTokenType.String ? Match(ref reader, Kinds) ?? MissionLineKind.Unknown : null;
                }
                else if (reader.ValueTextEquals("status"u8))
                {
                    reader.Read();
                    status = Match(ref reader, Statuses);
                }
                else if (reader.ValueTextEquals("priority"u8))
                {
                    reader.Read();
                    priority = Match(ref reader, Priorities) ?? MissionPriority.Normal;
                }
                else if (reader.ValueTextEquals("owner"u8) && owner.Length > 0)
                {
                    reader.Read();
                    ownerLength = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= owner.Length && !reader.ValueIsEscaped
                        ? reader.CopyString(owner)
                        : 0;
                }
                else if (reader.ValueTextEquals("retry_at"u8))
                {
                    reader.Read();
                    retryAt = reader.TokenType == JsonTokenType.String && reader.TryGetDateTime(out var at) ? at.Ticks : 0;
                }
                else
                {
                    reader.Read();
                    reader.Skip(); // the rest is not the index's business, but must still be well-formed JSON
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false; // unterminated, or something after the object
            }
            if (ownerLength > 0 && !Ids.IsValid(owner[..ownerLength]))
            {
                ownerLength = 0;
            }
            if (!Ids.IsValid(missionId[..idLength]) || kind is null || (kind == MissionLineKind.StatusUpdated && status is null))
            {
                return false;
            }
            facts = new MissionLineHeader(kind.Value, status ?? MissionStatus.Proposed, priority, retryAt);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static T? Match<T>(ref Utf8JsonReader reader, (byte[] Name, T Value)[] names) where T : struct
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return null;
        }
        foreach (var (name, value) in names)
        {
            if (reader.ValueTextEquals(name))
            {
                return value;
            }
        }
        return null;
    }
}
