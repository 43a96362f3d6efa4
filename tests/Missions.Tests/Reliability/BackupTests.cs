using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Missions.Tests.Support;

namespace Missions.Tests.Reliability;

/// <summary>
/// The embedded default backed up while it writes, and restored into a new data directory on which a new server
/// finds every mission it had acknowledged before the backup began; restores that must not happen do not.
/// </summary>
public sealed class BackupTests
{
    private const int Clients = 8;

    [Fact]
    public async Task A_backup_taken_under_load_restores_every_acknowledged_mission_and_conversation()
    {
        using var data = new TempDirectory();
        using var restored = new TempDirectory();
        var archive = restored.File("backup.tar.gz");
        var target = restored.File("data");
        var settings = new Dictionary<string, string>
        {
            ["Missions__Execution__Executor"] = "delay",
            ["Missions__Execution__DelayMilliseconds"] = "20",
            ["Missions__Execution__MaxConcurrency"] = "16",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var acknowledged = new ConcurrentDictionary<string, string>(); // mission id → its conversation
        ConcurrentDictionary<string, string> beforeBackup;
        var port = FreePort.Next();
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) })
        await using (var app = AppProcess.StartWebFrontend(data.Path, port, settings))
        {
            await app.WaitUntilReadyAsync(http, "readyz", TimeSpan.FromSeconds(60));
            var sessions = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Conversations.NewAsync(http)));
            using var stop = new CancellationTokenSource();
            var sent = 0;
            var writing = Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var i = Interlocked.Increment(ref sent);
                    var session = sessions[i % sessions.Length];
                    using var response = await http.PostAsJsonAsync("chat/integrated",
                        new { session_id = session, message = $"fetch https://example.org/backup-{i}", client_message_id = $"b-{i}" });
                    if (!response.IsSuccessStatusCode)
                    {
                        continue; // not acknowledged (the queue full: 503), so not owed
                    }
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                    acknowledged[body.GetProperty("mission_id").GetString()!] = session;
                }
            })));
            await Eventually.WaitAsync(() => acknowledged.Count >= 300, TimeSpan.FromSeconds(60), "300 acknowledged missions");

            beforeBackup = new ConcurrentDictionary<string, string>(acknowledged);
            var backup = AppProcess.Start(RepositoryPaths.WebFrontendDll, "backup", new Dictionary<string, string> { ["Missions__DataDirectory"] = data.Path }, "backup", archive);
            await backup.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(backup.ExitCode == 0, backup.Output);
            var duringBackup = acknowledged.Count - beforeBackup.Count;
            stop.Cancel();
            await writing;
            Assert.True(duringBackup > 0, "the server went on writing while the backup was taken");
            Assert.False(app.HasExited, app.Output);
            Assert.False(File.Exists(archive + ".partial"));
        }

        var restore = AppProcess.Start(RepositoryPaths.WebFrontendDll, "restore", new Dictionary<string, string> { ["Missions__DataDirectory"] = target }, "restore", archive);
        await restore.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(restore.ExitCode == 0, restore.Output);
        Assert.Contains("Restored the backup", restore.Output);

        var second = FreePort.Next();
        using var again = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{second}/"), Timeout = TimeSpan.FromSeconds(30) };
        await using var restoredApp = AppProcess.StartWebFrontend(target, second, settings);
        await restoredApp.WaitUntilReadyAsync(again, "readyz", TimeSpan.FromSeconds(60));
        var missing = new List<string>();
        foreach (var (mission, _) in beforeBackup)
        {
            using var response = await again.GetAsync($"api/whiteboard/{mission}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                missing.Add(mission);
            }
        }
        Assert.True(missing.Count == 0, $"{missing.Count} of {beforeBackup.Count} acknowledged missions are not in the restored data: {string.Join(", ", missing.Take(5))}");
        // The conversations came with them, readable by their ids (the server's key came too).
        var (someMission, someSession) = beforeBackup.First();
        var chat = await again.GetStringAsync($"api/chat/{someSession}?limit=500"); // the whole conversation: the last 100 messages may not reach its first missions
        Assert.Contains(someMission, chat);
        // The restored server goes on: a new mission in a restored conversation.
        using var more = await again.PostAsJsonAsync("chat/integrated", new { session_id = someSession, message = "fetch https://example.org/after-restore", client_message_id = "after" });
        Assert.True(more.IsSuccessStatusCode, await more.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_backup_leaves_out_a_line_being_written_and_restores_only_into_an_empty_directory()
    {
        using var data = new TempDirectory();
        var whole = "{\"event_type\":\"mission_created\",\"mission_id\":\"a\"}\n{\"event_type\":\"mission_created\",\"mission_id\":\"b\"}\n";
        await File.WriteAllTextAsync(data.File(LogFiles.Missions), whole + "{\"event_type\":\"missi"); // a line the process is writing
        await File.WriteAllTextAsync(data.File(LogFiles.ChatSessions), "");
        await File.WriteAllBytesAsync(data.File(ServerKey.FileName), new byte[ServerKey.Length]);
        await File.WriteAllTextAsync(data.File(LogFiles.MissionsIndex), "a cache"); // left out: rebuilt at start

        using var archive = new MemoryStream();
        var manifest = await DataDirectoryBackup.BackUpAsync(data.Path, archive);
        var missions = manifest.Files.Single(f => f.Name == LogFiles.Missions);
        Assert.Equal((Encoding.UTF8.GetByteCount(whole), 2L), (missions.Bytes, missions.Lines));
        Assert.DoesNotContain(manifest.Files, f => f.Name == LogFiles.MissionsIndex);

        using var target = new TempDirectory();
        archive.Position = 0;
        await DataDirectoryBackup.RestoreAsync(archive, target.Path); // an empty directory will do
        Assert.Equal(whole, await File.ReadAllTextAsync(target.File(LogFiles.Missions)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target.File(ServerKey.FileName))); // a secret stays one
        }

        archive.Position = 0;
        var refused = await Assert.ThrowsAsync<BackupException>(() => DataDirectoryBackup.RestoreAsync(archive, target.Path));
        Assert.Contains("is not empty", refused.Message);
        Assert.Equal(whole, await File.ReadAllTextAsync(target.File(LogFiles.Missions))); // untouched

        var notData = await Assert.ThrowsAsync<BackupException>(() => DataDirectoryBackup.BackUpAsync(target.File("nothing-here"), new MemoryStream()));
        Assert.Contains("not a Missions data directory", notData.Message);
    }

    [Theory]
    [InlineData("../escaped.jsonl")]
    [InlineData("keys/../../escaped.xml")]
    [InlineData("/etc/cron.d/x")]
    [InlineData("tool-calls/a/b.json")]
    [InlineData("missions.index")]
    public async Task A_hostile_or_foreign_archive_restores_nothing(string name)
    {
        using var archive = new MemoryStream();
        await using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, LogFiles.Missions) { DataStream = new MemoryStream("{}\n"u8.ToArray()) });
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream("x"u8.ToArray()) });
        }
        using var parent = new TempDirectory();
        var target = parent.File("data");
        archive.Position = 0;

        var refused = await Assert.ThrowsAsync<BackupException>(() => DataDirectoryBackup.RestoreAsync(archive, target));

        Assert.Contains("no Missions backup has", refused.Message);
        Assert.False(Directory.Exists(target));
        Assert.Empty(Directory.EnumerateFileSystemEntries(parent.Path));
        Assert.False(File.Exists(Path.Combine(parent.Path, "escaped.jsonl")));
    }

    [Fact]
    public async Task An_archive_cut_short_or_without_its_manifest_restores_nothing()
    {
        using var data = new TempDirectory();
        await File.WriteAllTextAsync(data.File(LogFiles.Missions), string.Concat(Enumerable.Range(0, 2000).Select(i => $"{{\"event_type\":\"mission_created\",\"mission_id\":\"m{i}\"}}\n")));
        using var archive = new MemoryStream();
        await DataDirectoryBackup.BackUpAsync(data.Path, archive);
        using var parent = new TempDirectory();

        var cut = new MemoryStream(archive.ToArray()[..(int)(archive.Length / 2)]);
        await Assert.ThrowsAnyAsync<Exception>(() => DataDirectoryBackup.RestoreAsync(cut, parent.File("data")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(parent.Path));
    }
}
