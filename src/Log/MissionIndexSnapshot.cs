using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Missions.Log;

/// <summary>
/// A checkpoint of the <see cref="MissionIndex"/> (<c>missions.index</c>): what the index held when the log was
/// <c>CoveredLength</c> bytes long, with a hash of the log's last bytes before that point. Opening a log loads it
/// and reads only the lines after, so start-up does not grow with the log's history. It is a cache: the log is
/// the truth, and a missing, damaged or mismatched checkpoint (a log replaced, cut or edited) means a full scan.
/// </summary>
public static class MissionIndexSnapshot
{
    private const long Magic = 0x3258444E4953534D; // "MSSINDX2": with owners
    private const int TailBytes = 4096;

    /// <summary>Writes the checkpoint atomically: a temporary file, flushed to disk, renamed over the old one.</summary>
    public static void Write(string path, MissionIndex index, SafeFileHandle log)
    {
        var (covered, entries) = index.Capture();
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var writer = new BinaryWriter(file))
        {
            writer.Write(Magic);
            writer.Write(covered);
            writer.Write(TailHash(log, covered));
            writer.Write(entries.Count);
            foreach (var e in entries)
            {
                writer.Write(e.MissionId);
                writer.Write((byte)e.Status);
                writer.Write(e.Created);
                writer.Write((byte)e.Priority);
                writer.Write(e.NotBefore);
                writer.Write(e.Owner ?? "");
                writer.Write(e.LineCount);
                for (var i = 0; i < e.LineCount; i++)
                {
                    writer.Write(e.Lines[i].Offset);
                    writer.Write(e.Lines[i].Length);
                }
            }
            writer.Write(Magic); // the end: a file cut short never loads
            writer.Flush();
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Loads a checkpoint into an empty <paramref name="index"/> if it matches <paramref name="log"/>; returns the
    /// log offset to go on reading from (0 when there is no usable checkpoint, with the index left empty).
    /// </summary>
    public static long TryLoad(string path, MissionIndex index, SafeFileHandle log)
    {
        if (!File.Exists(path))
        {
            return 0;
        }
        try
        {
            // Read whole (tens of MB for millions of events) and parsed from memory.
            var bytes = File.ReadAllBytes(path);
            return Parse(bytes, log) is { } checkpoint ? Restore(index, checkpoint) : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OutOfMemoryException)
        {
            return 0;
        }
    }

    private static long Restore(MissionIndex index, (long Covered, List<MissionIndex.Captured> Entries) checkpoint)
    {
        index.Restore(checkpoint.Covered, checkpoint.Entries);
        return checkpoint.Covered;
    }

    /// <summary>The checkpoint's content, or null when it is damaged or not of this log.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // one long loop, run once: compile it optimized from the start
    private static (long, List<MissionIndex.Captured>)? Parse(byte[] bytes, SafeFileHandle log)
    {
        var reader = new SpanReader(bytes);
        if (!reader.TryInt64(out var magic) || magic != Magic || !reader.TryInt64(out var covered) || !reader.TryBytes(32, out var hash)
            || covered > RandomAccess.GetLength(log) || !hash.SequenceEqual(TailHash(log, covered)) || !reader.TryInt32(out var count) || count < 0)
        {
            return null;
        }
        var entries = new List<MissionIndex.Captured>(count);
        Span<char> id = stackalloc char[MissionLineHeader.MaxIdLength];
        Span<char> owner = stackalloc char[Ids.MaxLength];
        var owners = new Dictionary<string, string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        for (var n = 0; n < count; n++)
        {
            if (!reader.TryString(id, out var idLength) || !reader.TryByte(out var status) || !reader.TryByte(out var created)
                || !reader.TryByte(out var priority) || !reader.TryInt64(out var notBefore) || !reader.TryString(owner, out var ownerLength)
                || !reader.TryInt32(out var lineCount)
                || lineCount < 1 || status >= StatusCount || priority >= PriorityCount || !Ids.IsValid(id[..idLength])
                || (ownerLength > 0 && !Ids.IsValid(owner[..ownerLength])))
            {
                return null;
            }
            var lines = new LineRef[Math.Max(4, lineCount)];
            for (var i = 0; i < lineCount; i++)
            {
                if (!reader.TryInt64(out var offset) || !reader.TryInt32(out var length))
                {
                    return null;
                }
                lines[i] = new LineRef(offset, length);
            }
            string? ownedBy = null;
            if (ownerLength > 0 && !owners.TryGetValue(owner[..ownerLength], out ownedBy))
            {
                ownedBy = new string(owner[..ownerLength]);
                owners.Dictionary.Add(ownedBy, ownedBy); // one string per owner, not per mission
            }
            entries.Add(new MissionIndex.Captured(new string(id[..idLength]), (MissionStatus)status, created != 0, (MissionPriority)priority, notBefore, lines, lineCount, ownedBy));
        }
        return reader.TryInt64(out var end) && end == Magic && reader.AtEnd ? (covered, entries) : null;
    }

    private static readonly int StatusCount = Enum.GetValues<MissionStatus>().Length;
    private static readonly int PriorityCount = Enum.GetValues<MissionPriority>().Length;

    /// <summary>Reads what <see cref="BinaryWriter"/> wrote, from memory, failing softly at the end of the bytes.</summary>
    private ref struct SpanReader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public readonly bool AtEnd => _at == _bytes.Length;

        public bool TryByte(out byte value)
        {
            value = _at < _bytes.Length ? _bytes[_at] : (byte)0;
            return _at++ < _bytes.Length;
        }

        public bool TryInt32(out int value) => BinaryPrimitives.TryReadInt32LittleEndian(Take(4), out value);

        public bool TryInt64(out long value) => BinaryPrimitives.TryReadInt64LittleEndian(Take(8), out value);

        public bool TryBytes(int count, out ReadOnlySpan<byte> value)
        {
            value = Take(count);
            return value.Length == count;
        }

        /// <summary>A string as BinaryWriter writes it (7-bit encoded length, UTF-8), decoded into <paramref name="chars"/>.</summary>
        public bool TryString(scoped Span<char> chars, out int length)
        {
            length = 0;
            int size = 0, shift = 0;
            byte b;
            do
            {
                if (shift > 28 || !TryByte(out b))
                {
                    return false;
                }
                size |= (b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);
            var utf8 = Take(size);
            return utf8.Length == size && size <= chars.Length && System.Text.Encoding.UTF8.TryGetChars(utf8, chars, out length);
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || _at + count > _bytes.Length)
            {
                _at = _bytes.Length + 1;
                return [];
            }
            var span = _bytes.Slice(_at, count);
            _at += count;
            return span;
        }
    }

    /// <summary>The hash of the log's last bytes before <paramref name="length"/>: tells whether the log is still the one indexed.</summary>
    private static byte[] TailHash(SafeFileHandle log, long length)
    {
        var size = (int)Math.Min(TailBytes, length);
        var buffer = new byte[size];
        var read = 0;
        while (read < size)
        {
            var n = RandomAccess.Read(log, buffer.AsSpan(read), length - size + read);
            if (n == 0)
            {
                return new byte[32]; // shorter than it was: cannot match a real hash
            }
            read += n;
        }
        return SHA256.HashData(buffer);
    }
}
