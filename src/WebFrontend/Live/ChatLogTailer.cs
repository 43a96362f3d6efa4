using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;
using Missions.Log;

namespace Missions.Web.Live;

/// <summary>In client mode the silo writes the chat log in another process: this follows it for the live feed.</summary>
public sealed partial class ChatLogTailer(IOptions<MissionsOptions> options, LiveFeed feed, ILogger<ChatLogTailer> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = options.Value.PathOf(LogFiles.ChatSessions);
        SafeFileHandle? file = null;
        long position = -1;
        using var timer = new PeriodicTimer(Period);
        try
        {
            do
            {
                try
                {
                    if (file is null)
                    {
                        if (!File.Exists(path))
                        {
                            continue;
                        }
                        file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    }
                    if (position < 0)
                    {
                        // Only what is new is live; the conversation so far is read through the API.
                        position = JsonlScanner.Scan(file, 0, (_, _) => true).CompleteLength;
                        continue;
                    }
                    position = JsonlScanner.Scan(file, position, (line, _) =>
                    {
                        try
                        {
                            feed.Publish(JsonSerializer.Deserialize(line, MissionsJson.Context.ChatMessage)!);
                            return true;
                        }
                        catch (JsonException)
                        {
                            return false;
                        }
                    }).CompleteLength;
                }
                catch (IOException ex)
                {
                    LogReadFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        finally
        {
            file?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the chat log failed; retrying")]
    private static partial void LogReadFailed(ILogger logger, Exception ex);
}
