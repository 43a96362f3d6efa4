using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Missions.Log;

/// <summary>Serializes records as JSONL: one compact JSON object per line, each ending in '\n'.</summary>
public static class JsonlLines
{
    /// <summary>A buffer this large is dropped after use rather than kept for the thread's next line.</summary>
    private const int KeptCapacity = 64 * 1024;

    // Each thread's buffer and writer, reused: a mission writes half a dozen lines, and a fresh buffer that grows
    // to a line's size, a writer and a copy for each were a third of the bytes a mission allocated.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    /// <summary>
    /// The lines' bytes, and where each line starts and how long it is (without its newline). Text is written with
    /// the project's encoder (<see cref="MissionsJson"/>): non-ASCII stays readable in the file.
    /// </summary>
    public static (byte[] Payload, (int Start, int Length)[] Lines) Serialize<T>(IReadOnlyList<T> items, JsonTypeInfo<T> type)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var writer = t_writer is { } kept && kept.Options.Encoder == type.Options.Encoder
            ? kept
            : t_writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = type.Options.Encoder, SkipValidation = true });
        var lines = new (int, int)[items.Count];
        try
        {
            for (var i = 0; i < items.Count; i++)
            {
                writer.Reset(buffer);
                var start = buffer.WrittenCount;
                JsonSerializer.Serialize(writer, items[i], type);
                writer.Flush();
                lines[i] = (start, buffer.WrittenCount - start);
                buffer.Write("\n"u8);
            }
            return (buffer.WrittenSpan.ToArray(), lines);
        }
        finally
        {
            buffer.ResetWrittenCount();
            if (buffer.Capacity > KeptCapacity)
            {
                t_buffer = null;
                t_writer = null;
            }
        }
    }

    /// <summary>Lines already serialized, as one payload (each followed by '\n'), and where each starts in it.</summary>
    public static (byte[] Payload, int[] Starts) Join(IReadOnlyList<byte[]> lines)
    {
        var payload = new byte[lines.Sum(l => l.Length + 1)];
        var starts = new int[lines.Count];
        var at = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            starts[i] = at;
            lines[i].CopyTo(payload, at);
            at += lines[i].Length;
            payload[at++] = (byte)'\n';
        }
        return (payload, starts);
    }
}
