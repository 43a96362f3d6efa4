using Missions.Chat;
using Missions.Log;

namespace Missions.Web.Live;

/// <summary>
/// Connects the live feed to the logs' feeds — whoever publishes them (this process's writer on the embedded
/// default, a follower of the silo's files in client mode): what becomes durable from now on goes to the browsers.
/// </summary>
public sealed class LiveFeedSources(LogFeed<MissionEvent> missions, LogFeed<ChatMessage> chats, LiveFeed feed) : BackgroundService
{
    private const int Batch = 1024;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            FollowAsync(missions, feed.Publish, stoppingToken),
            FollowAsync(chats, feed.Publish, stoppingToken));

    private static async Task FollowAsync<T>(LogFeed<T> log, Action<T> publish, CancellationToken stoppingToken)
    {
        using var cursor = log.Follow(log.End); // only what is new is live; what was before is read through the API
        try
        {
            while ((await cursor.ReadAsync(Batch, stoppingToken)) is { Count: > 0 } lines)
            {
                foreach (var line in lines)
                {
                    publish(line.Value);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
