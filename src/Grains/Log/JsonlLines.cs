using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Missions.Log;

/// <summary>Serializes records as JSONL: one compact JSON object per line, each ending in '\n'.</summary>
public static class JsonlLines
{
    /// <summary>The lines' bytes, and where each line starts and how long it is (without its newline).</summary>
    public static (byte[] Payload, (int Start, int Length)[] Lines) Serialize<T>(IReadOnlyList<T> items, JsonTypeInfo<T> type)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * items.Count);
        var lines = new (int, int)[items.Count];
        using var writer = new Utf8JsonWriter(buffer);
        for (var i = 0; i < items.Count; i++)
        {
            var start = buffer.WrittenCount;
            JsonSerializer.Serialize(writer, items[i], type);
            writer.Flush();
            lines[i] = (start, buffer.WrittenCount - start);
            buffer.Write("\n"u8);
            writer.Reset();
        }
        return (buffer.WrittenSpan.ToArray(), lines);
    }
}
