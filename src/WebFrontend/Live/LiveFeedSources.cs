using Missions.Log;

namespace Missions.Web.Live;

/// <summary>
/// Connects the live feed to what changes: the mission index (fed by this process's writer on the embedded
/// default, or by the tailer in client mode) and, on the embedded default, the chat log's writer.
/// </summary>
public sealed class LiveFeedSources(MissionLogReader missions, LiveFeed feed, IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        missions.Index.Changed += feed.Publish;
        if (services.GetService<ChatLog>() is { } chat)
        {
            chat.Appended += feed.Publish;
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        missions.Index.Changed -= feed.Publish;
        if (services.GetService<ChatLog>() is { } chat)
        {
            chat.Appended -= feed.Publish;
        }
        return Task.CompletedTask;
    }
}
