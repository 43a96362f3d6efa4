using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Missions.Log;

/// <summary>
/// A consistent backup of an embedded data directory, taken while its process writes, and its restore into a new one.
/// The logs only grow, so a prefix of each is a state the process was in: each log is copied up to its last whole line
/// at the moment it is reached, the conversations before the missions (a conversation's line names a mission only
/// after the mission's line is written, so every mission a copied line names is in the copy), with the server's key
/// and the page's Data Protection keys. Every mission acknowledged before the backup began is in it. Caches are left
/// out — the mission index's checkpoint (rebuilt from the log at start) and the research workspace (fetched again).
/// The archive is a gzip'd tar with a manifest (<c>backup.json</c>: when, and each file's bytes and lines).
/// </summary>
public static class DataDirectoryBackup
{
    public const string ManifestName = "backup.json";

    /// <summary>The logs, in the order they are copied: what refers to a line is copied before the line it refers to.</summary>
    private static readonly string[] Logs = [LogFiles.ChatSessions, LogFiles.LearningSignals, LogFiles.Missions];

    public sealed record Manifest
    {
        [JsonPropertyName("taken_at")] public required DateTimeOffset TakenAt { get; init; }
        [JsonPropertyName("files")] public required IReadOnlyList<ManifestFile> Files { get; init; }
    }

    public sealed record ManifestFile
    {
        [JsonPropertyName("name")] public required string Name { get; init; }
        [JsonPropertyName("bytes")] public required long Bytes { get; init; }
        /// <summary>Lines of a log; 0 for a key.</summary>
        [JsonPropertyName("lines")] public long Lines { get; init; }

        /// <summary>A key (the server's, or one of the page's), not a log.</summary>
        [JsonIgnore] public bool IsKey => IsKeyFile(Name);
    }

    /// <summary>The server's key or one of the page's Data Protection keys: secrets, restored readable by their owner only.</summary>
    private static bool IsKeyFile(string name) => name == ServerKey.FileName || name.StartsWith(LogFiles.Keys + "/", StringComparison.Ordinal);

    /// <summary>Writes the backup of <paramref name="dataDirectory"/> to <paramref name="archive"/>; the running process may go on writing.</summary>
    public static async Task<Manifest> BackUpAsync(string dataDirectory, Stream archive, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(dataDirectory);
        if (!File.Exists(Path.Combine(root, LogFiles.Missions)))
        {
            throw new BackupException($"{root} holds no {LogFiles.Missions}: it is not a Missions data directory (Missions:DataDirectory).");
        }
        var files = new List<ManifestFile>();
        await using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            var keys = new List<string>();
            if (File.Exists(Path.Combine(root, ServerKey.FileName)))
            {
                keys.Add(ServerKey.FileName);
            }
            if (Directory.Exists(Path.Combine(root, LogFiles.Keys)))
            {
                keys.AddRange(Directory.GetFiles(Path.Combine(root, LogFiles.Keys), "*.xml").Order(StringComparer.Ordinal)
                    .Select(path => LogFiles.Keys + "/" + Path.GetFileName(path)));
            }
            foreach (var name in keys)
            {
                var bytes = await File.ReadAllBytesAsync(Path.Combine(root, name), cancellationToken);
                await WriteAsync(tar, name, new MemoryStream(bytes), cancellationToken);
                files.Add(new ManifestFile { Name = name, Bytes = bytes.Length });
            }
            // The archive's months (written only at a start, never while the server runs): whole files.
            foreach (var (kind, month) in new[] { MissionArchive.Missions, MissionArchive.Chats }.SelectMany(k => MissionArchive.Months(root, k).Select(m => (k, m))))
            {
                foreach (var name in new[] { MissionArchive.MonthFile(month, kind), MissionArchive.IdsFile(month, kind) })
                {
                    var path = Path.Combine(root, MissionArchive.DirectoryName, name);
                    if (File.Exists(path))
                    {
                        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                        await WriteAsync(tar, MissionArchive.DirectoryName + "/" + name, file, cancellationToken);
                        files.Add(new ManifestFile { Name = MissionArchive.DirectoryName + "/" + name, Bytes = file.Length });
                    }
                }
            }
            foreach (var name in Logs)
            {
                var path = Path.Combine(root, name);
                if (!File.Exists(path))
                {
                    continue;
                }
                await using var log = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: true);
                var whole = await WholeLinesAsync(log, log.Length, cancellationToken);
                var prefix = new Prefix(log, whole);
                await WriteAsync(tar, name, prefix, cancellationToken);
                files.Add(new ManifestFile { Name = name, Bytes = whole, Lines = prefix.Lines });
            }
            var manifest = new Manifest { TakenAt = DateTimeOffset.UtcNow, Files = files };
            await WriteAsync(tar, ManifestName, new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(manifest, Indented)), cancellationToken);
            return manifest;
        }
    }

    /// <summary>
    /// Restores a backup into <paramref name="dataDirectory"/>, which must be new or empty. Only the files a backup
    /// holds are taken, each checked against the manifest; anything else in the archive is refused, and a restore that
    /// fails leaves nothing behind.
    /// </summary>
    public static async Task<Manifest> RestoreAsync(Stream archive, string dataDirectory, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(dataDirectory);
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new BackupException($"{root} is not empty: restore into a new directory, then point Missions:DataDirectory at it.");
        }
        var staging = root.TrimEnd(Path.DirectorySeparatorChar) + $".restoring-{Guid.NewGuid():N}";
        Directory.CreateDirectory(staging);
        try
        {
            var written = new Dictionary<string, long>(StringComparer.Ordinal);
            Manifest? manifest = null;
            await using (var gzip = new GZipStream(archive, CompressionMode.Decompress, leaveOpen: true))
            await using (var tar = new TarReader(gzip, leaveOpen: true))
            {
                while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
                {
                    if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                    {
                        continue;
                    }
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !IsBackupFile(entry.Name))
                    {
                        throw new BackupException($"The archive holds '{entry.Name}', which no Missions backup has: not restored.");
                    }
                    if (entry.Name == ManifestName)
                    {
                        manifest = entry.DataStream is null ? null : await JsonSerializer.DeserializeAsync<Manifest>(entry.DataStream, cancellationToken: cancellationToken);
                        continue;
                    }
                    var path = Path.Combine(staging, entry.Name);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                    if (!OperatingSystem.IsWindows())
                    {
                        create.UnixCreateMode = IsKeyFile(entry.Name) ? UnixFileMode.UserRead | UnixFileMode.UserWrite // as they were made
                            : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
                    }
                    await using (var file = new FileStream(path, create))
                    {
                        if (entry.DataStream is not null)
                        {
                            await entry.DataStream.CopyToAsync(file, cancellationToken);
                        }
                        file.Flush(flushToDisk: true);
                        written[entry.Name] = file.Length;
                    }
                }
            }
            if (manifest is null)
            {
                throw new BackupException($"The archive has no {ManifestName}: it is not a Missions backup (or it was cut short).");
            }
            foreach (var file in manifest.Files)
            {
                if (written.GetValueOrDefault(file.Name) is var bytes && bytes != file.Bytes)
                {
                    throw new BackupException($"{file.Name} should hold {file.Bytes} bytes and the archive gave {bytes}: the archive is damaged, nothing was restored.");
                }
            }
            if (!written.ContainsKey(LogFiles.Missions))
            {
                throw new BackupException($"The archive holds no {LogFiles.Missions}: nothing was restored.");
            }
            if (Directory.Exists(root))
            {
                Directory.Delete(root); // empty, checked above
            }
            Directory.Move(staging, root);
            return manifest;
        }
        catch
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
            throw;
        }
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static bool IsBackupFile(string name) =>
        name == ManifestName || name == ServerKey.FileName || Logs.Contains(name) || IsArchiveFile(name)
        || (IsKeyFile(name) && name.EndsWith(".xml", StringComparison.Ordinal)
            && name.IndexOf('/', LogFiles.Keys.Length + 1) < 0 && !name.Contains("..", StringComparison.Ordinal) && !name.Contains('\\'));

    /// <summary><c>archive/missions-YYYY-MM.jsonl.gz</c>, <c>archive/chats-YYYY-MM.jsonl.gz</c> or their <c>.ids</c>, and nothing else under <c>archive/</c>.</summary>
    private static bool IsArchiveFile(string name)
    {
        foreach (var kind in new[] { MissionArchive.Missions, MissionArchive.Chats })
        {
            var prefix = MissionArchive.DirectoryName + "/" + kind + "-";
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || name.Length < prefix.Length + 7)
            {
                continue;
            }
            var month = name.Substring(prefix.Length, 7);
            return MissionArchive.IsMonth(month) && (name == MissionArchive.DirectoryName + "/" + MissionArchive.MonthFile(month, kind)
                || name == MissionArchive.DirectoryName + "/" + MissionArchive.IdsFile(month, kind));
        }
        return false;
    }

    private static async Task WriteAsync(TarWriter tar, string name, Stream data, CancellationToken cancellationToken)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = data,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            ModificationTime = DateTimeOffset.UtcNow,
        };
        await tar.WriteEntryAsync(entry, cancellationToken);
    }

    /// <summary>The length of the whole lines in the first <paramref name="length"/> bytes: a line being written is left out.</summary>
    private static async Task<long> WholeLinesAsync(FileStream log, long length, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        for (var end = length; end > 0;)
        {
            var start = Math.Max(0, end - buffer.Length);
            log.Position = start;
            await log.ReadExactlyAsync(buffer.AsMemory(0, (int)(end - start)), cancellationToken);
            var newline = buffer.AsSpan(0, (int)(end - start)).LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                return start + newline + 1;
            }
            end = start;
        }
        return 0;
    }

    /// <summary>The first bytes of a file (a log the process still appends to), counting its lines as they are read once.</summary>
    private sealed class Prefix(FileStream file, long length) : Stream
    {
        private long _position;
        private long _counted; // bytes whose lines are counted (a second read of them is not counted again)

        public long Lines { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => _position = Math.Clamp(value, 0, length);
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            file.Position = _position;
            var read = file.Read(buffer[..(int)Math.Min(buffer.Length, length - _position)]);
            Count(buffer[..read]);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            file.Position = _position;
            var read = await file.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - _position)], cancellationToken);
            Count(buffer.Span[..read]);
            return read;
        }

        private void Count(ReadOnlySpan<byte> read)
        {
            if (_position + read.Length > _counted)
            {
                var fresh = read[(int)Math.Max(0, _counted - _position)..];
                Lines += fresh.Count((byte)'\n');
                _counted = _position + read.Length;
            }
            _position += read.Length;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>A backup or restore that cannot be done, with what to do.</summary>
public sealed class BackupException(string message) : Exception(message);
