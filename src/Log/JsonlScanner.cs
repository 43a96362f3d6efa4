using Microsoft.Win32.SafeHandles;

namespace Missions.Log;

/// <summary>
/// Reads a JSONL file line by line from an offset, in large chunks. Only complete lines (ending in a newline)
/// are handed out; what follows the last newline is reported as torn, never parsed.
/// </summary>
public static class JsonlScanner
{
    /// <summary>Called once per complete, non-blank line; returns false when the line is malformed.</summary>
    public delegate bool LineHandler(ReadOnlySpan<byte> line, LineRef where);

    private const int ChunkSize = 1 << 20;

    /// <summary>Reads one whole line (without its newline) into <paramref name="buffer"/>, which is its length.</summary>
    public static void ReadLine(SafeFileHandle file, LineRef line, Span<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = RandomAccess.Read(file, buffer[read..], line.Offset + read);
            if (n == 0)
            {
                throw new IOException($"The log ended before the line at offset {line.Offset}.");
            }
            read += n;
        }
    }

    /// <summary>
    /// Where to start reading a file to see (at least) its last <paramref name="bytes"/> bytes: the start of the
    /// first line that begins within them, or 0 for a shorter file (or one whose last line is longer).
    /// </summary>
    public static Func<SafeFileHandle, long> StartOfLastBytes(long bytes) => file =>
    {
        var length = RandomAccess.GetLength(file);
        if (length <= bytes)
        {
            return 0;
        }
        var probe = new byte[64 * 1024];
        for (var at = length - bytes - 1; at < length;)
        {
            var read = RandomAccess.Read(file, probe, at);
            if (read == 0)
            {
                break;
            }
            var newline = probe.AsSpan(0, read).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return at + newline + 1;
            }
            at += read;
        }
        return 0; // no line ends there: one line longer than that, read from the start
    };

    public static ScanResult Scan(SafeFileHandle file, long start, LineHandler onLine) => Scan(file, start, long.MaxValue, onLine);

    /// <summary>Reads the complete lines between <paramref name="start"/> and <paramref name="end"/> (a line that
    /// runs past <paramref name="end"/> is left for the next read, as a torn one).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static ScanResult Scan(SafeFileHandle file, long start, long end, LineHandler onLine)
    {
        var fileLength = Math.Min(RandomAccess.GetLength(file), end);
        var buffer = new byte[ChunkSize];
        var filled = 0;                // bytes in buffer, starting at file offset bufferStart
        var bufferStart = start;
        var position = start;          // next file offset to read
        long lines = 0, malformed = 0;

        while (position < fileLength)
        {
            if (filled == buffer.Length)
            {
                // One line longer than the buffer: grow it.
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            var read = RandomAccess.Read(file, buffer.AsSpan(filled, (int)Math.Min(buffer.Length - filled, fileLength - position)), position);
            if (read == 0)
            {
                break;
            }
            position += read;
            filled += read;

            var consumed = 0;
            while (true)
            {
                var newline = buffer.AsSpan(consumed, filled - consumed).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    break;
                }
                var line = buffer.AsSpan(consumed, newline);
                if (line.Length > 0 && line[^1] == (byte)'\r')
                {
                    line = line[..^1];
                }
                if (!line.Trim((byte)' ').IsEmpty)
                {
                    if (onLine(line, new LineRef(bufferStart + consumed, line.Length)))
                    {
                        lines++;
                    }
                    else
                    {
                        malformed++;
                    }
                }
                consumed += newline + 1;
            }

            // Keep the unfinished line at the front of the buffer.
            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
            bufferStart += consumed;
        }

        return new ScanResult(bufferStart, Math.Max(fileLength, position), lines, malformed);
    }
}
