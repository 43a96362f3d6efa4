namespace Missions.Log;

/// <summary>
/// A month's ids as sorted 64-bit hashes (FNV-1a of the id), 8 bytes each: whether a mission may be in a month is a
/// binary search of the file (about 24 reads at 10 million), with nothing kept in memory. A hash shared by two ids only
/// makes a look-up read a month that does not have it.
/// </summary>
public static class MonthIds
{
    public static ulong Hash(string id)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }

    public static void Write(string path, IEnumerable<string> ids)
    {
        var hashes = ids.Select(Hash).ToArray();
        Array.Sort(hashes);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Span<byte> bytes = stackalloc byte[8];
        foreach (var hash in hashes)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, hash);
            file.Write(bytes);
        }
        file.Flush(flushToDisk: true);
    }

    /// <summary>True when the month's ids file exists and does not hold the id; false when it may (or there is no file).</summary>
    public static bool Excludes(string path, string id)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        using var handle = File.OpenHandle(path);
        var count = RandomAccess.GetLength(handle) / 8;
        var wanted = Hash(id);
        Span<byte> bytes = stackalloc byte[8];
        long lo = 0, hi = count - 1;
        while (lo <= hi)
        {
            var mid = lo + (hi - lo) / 2;
            if (RandomAccess.Read(handle, bytes, mid * 8) != 8)
            {
                return false;
            }
            var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
            if (value == wanted)
            {
                return false;
            }
            if (value < wanted)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return true;
    }
}
