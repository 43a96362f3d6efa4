using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Missions.Web.Http;
using Missions.Web.People;

namespace Missions.Web.Live;

public static class StreamEndpoints
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapLiveStream(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/whiteboard/stream", StreamAsync)
            .RequirePerson()
            .WithSummary("Server-Sent Events: every change of your missions and schedules (event 'mission'; an operator's: everyone's) and, with ?session_id=, that conversation's new messages (event 'chat').");
        return app;
    }

    private static async Task StreamAsync(HttpContext context, LiveFeed feed, Access access, IOptions<PersonLimits> limits)
    {
        var person = context.Person();
        var sessionId = context.Request.Query["session_id"].ToString();
        if (sessionId.Length > 0 && !Ids.IsValid(sessionId))
        {
            await Problems.InvalidId("session id", sessionId).ExecuteAsync(context);
            return;
        }
        if (sessionId.Length > 0 && !access.MayRead(person, sessionId))
        {
            await Problems.NotFound("Unknown conversation", $"You have no conversation '{sessionId}'.").ExecuteAsync(context);
            return;
        }
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length == 0)
        {
            lastEventId = context.Request.Query["last_event_id"].ToString();
        }

        if (feed.Subscribe(person, lastEventId, sessionId.Length > 0 ? sessionId : null, person.IsLocal ? 0 : limits.Value.StreamsPerPerson) is not var (missed, reader, subscription))
        {
            await Problems.TooMany(context, "Too many live streams",
                $"You have {limits.Value.StreamsPerPerson} live streams open, the most one person may; close a tab or two.", 5).ExecuteAsync(context);
            return;
        }
        using var _ = subscription;
        var response = context.Response;
        response.Headers.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var aborted = context.RequestAborted;

        await response.WriteAsync("retry: 2000\n\n", aborted);
        if (missed is null)
        {
            await response.WriteAsync($"event: reset\ndata: {{}}\n\n", aborted);
        }
        else
        {
            foreach (var item in missed)
            {
                await WriteAsync(response, feed, item, aborted);
            }
        }
        await response.Body.FlushAsync(aborted);

        try
        {
            while (!aborted.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                wait.CancelAfter(Heartbeat);
                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    await response.WriteAsync(": keep-alive\n\n", aborted);
                    await response.Body.FlushAsync(aborted);
                    continue;
                }
                if (!more)
                {
                    return; // dropped for falling behind: the browser reconnects and is replayed
                }
                while (reader.TryRead(out var item))
                {
                    await WriteAsync(response, feed, item, aborted);
                }
                await response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // the browser went away
        }
    }

    private static Task WriteAsync(HttpResponse response, LiveFeed feed, LiveItem item, CancellationToken aborted)
    {
        var (kind, json) = item.Mission is { } e
            ? ("mission", JsonSerializer.Serialize(Whiteboard.SessionPrivacy.WithoutSession(e), MissionsJson.Context.MissionEvent))
            : ("chat", JsonSerializer.Serialize(item.Chat!, MissionsJson.Context.ChatMessage));
        var text = new StringBuilder().Append("id: ").Append(feed.IdOf(item)).Append("\nevent: ").Append(kind)
            .Append("\ndata: ").Append(json).Append("\n\n").ToString();
        return response.WriteAsync(text, aborted);
    }
}
