using Missions.Log;

namespace Missions.Web.Hosting;

/// <summary>
/// <c>backup ARCHIVE</c> and <c>restore ARCHIVE</c>: the embedded default's data directory (<c>Missions:DataDirectory</c>,
/// from the same settings the server reads) copied while the server runs, and restored into a new directory
/// (<see cref="DataDirectoryBackup"/>). In cluster mode the store is the source of truth, so they refuse and say what to
/// back up instead.
/// </summary>
public static class DataDirectoryCommands
{
    public static bool Handles(string[] args) => args is ["backup" or "restore" or "restore-archive", ..];

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration)
    {
        if (args is not [var verb, var archive, ..] || archive.StartsWith('-'))
        {
            Console.Error.WriteLine("Usage: Missions.WebFrontend backup ARCHIVE.tar.gz | restore ARCHIVE.tar.gz | restore-archive YYYY-MM "
                + "(the data directory is Missions:DataDirectory).");
            return 2;
        }
        if (!string.IsNullOrEmpty(configuration["Missions:Store:PostgreSql"]))
        {
            Console.Error.WriteLine("Cluster mode keeps everything in PostgreSQL, and a web frontend's data directory is a mirror it rebuilds: "
                + "back up the store with pg_dump and restore it with pg_restore (docs/operations.md, \"Backup and restore\").");
            return 2;
        }
        var options = new MissionsOptions();
        configuration.GetSection("Missions").Bind(options);
        try
        {
            if (verb == "restore-archive")
            {
                return RestoreMonth(options.DataDirectory, archive, configuration);
            }
            if (verb == "backup")
            {
                // Written beside, then renamed: a backup cut short never looks like a whole one.
                var partial = archive + ".partial";
                DataDirectoryBackup.Manifest manifest;
                await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write))
                {
                    manifest = await DataDirectoryBackup.BackUpAsync(options.DataDirectory, file);
                    file.Flush(flushToDisk: true);
                }
                File.Move(partial, archive, overwrite: true);
                Console.WriteLine($"Backed up {Path.GetFullPath(options.DataDirectory)} to {Path.GetFullPath(archive)} ({Describe(manifest)}).");
            }
            else
            {
                await using var file = File.OpenRead(archive);
                var manifest = await DataDirectoryBackup.RestoreAsync(file, options.DataDirectory);
                Console.WriteLine($"Restored the backup of {manifest.TakenAt:u} into {Path.GetFullPath(options.DataDirectory)} ({Describe(manifest)}); "
                    + "start the server with this Missions:DataDirectory.");
            }
            return 0;
        }
        catch (BackupException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"The {verb} failed: {ex.Message}");
            return 1;
        }
    }

    /// <summary>A month of the archive back in the live log; the server must be stopped (its data directory is locked).</summary>
    private static int RestoreMonth(string dataDirectory, string month, IConfiguration configuration)
    {
        var root = Path.GetFullPath(dataDirectory);
        var months = MissionArchive.Months(root).Concat(MissionArchive.Months(root, MissionArchive.Chats)).Distinct().Order(StringComparer.Ordinal).ToList();
        if (!MissionArchive.IsMonth(month) || !months.Contains(month))
        {
            Console.Error.WriteLine($"The archive holds no month '{month}' (give it as YYYY-MM; the archive has: {(months.Count > 0 ? string.Join(", ", months) : "nothing")}).");
            return 2;
        }
        try
        {
            using var held = DataDirectoryLock.Acquire(root);
            foreach (var (kind, log, setting, what) in new[]
            {
                (MissionArchive.Missions, LogFiles.Missions, "EndedMissionDays", "missions that ended"),
                (MissionArchive.Chats, LogFiles.ChatSessions, "IdleConversationDays", "conversations idle since"),
            })
            {
                if (!MissionArchive.Months(root, kind).Contains(month))
                {
                    continue;
                }
                var (streams, lines) = MissionArchive.RestoreMonth(root, month, kind);
                Console.WriteLine($"Restored {streams} {kind} ({lines} lines) of {month} into {Path.Combine(root, log)}.");
                if (configuration.GetValue<double?>($"{RetentionOptions.Section}:{setting}") is { } days)
                {
                    Console.WriteLine($"{RetentionOptions.Section}:{setting} is {days}: {what} longer ago go back to the archive at the next start; raise it or remove it to keep them live.");
                }
            }
            return 0;
        }
        catch (DataDirectoryInUseException ex)
        {
            Console.Error.WriteLine($"{ex.Message} Stop the server first: a month is restored into the live log while nothing writes it.");
            return 2;
        }
        catch (FileNotFoundException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
    }

    private static string Describe(DataDirectoryBackup.Manifest manifest) =>
        string.Join(", ", manifest.Files.Where(f => !f.IsKey).Select(f => $"{f.Name}: {f.Lines} lines")) + $", {manifest.Files.Count(f => f.IsKey)} keys";
}
