using System.Text.Json;
using Microsoft.Extensions.Options;
using Missions.Chat;
using Missions.Log;
using Missions.Web.Chat;
using Missions.Web.Http;
using Missions.Web.People;

namespace Missions.Web.Live;

public static class StreamEndpoints
{
    public static IEndpointRouteBuilder MapLiveStream(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/whiteboard/stream", Stream)
            .RequirePerson()
            .WithSummary("Server-Sent Events: every change of your missions and schedules (event 'mission'; an operator's: everyone's) and, with ?session_id=, that conversation's new messages (event 'chat'). Resumes from Last-Event-ID.");
        return app;
    }

    private static IResult Stream(
        HttpContext context, LogFeed<MissionEvent> missions, LogFeed<ChatMessage> chats, MissionLogReader reader, Access access,
        LiveStreamSlots slots, IOptions<PersonLimits> limits, MessageMarkup markup, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var person = context.Person();
        var sessionId = context.Request.Query["session_id"].ToString();
        if (sessionId.Length > 0 && !Ids.IsValid(sessionId))
        {
            return Problems.InvalidId("session id", sessionId);
        }
        if (sessionId.Length > 0 && !access.MayRead(person, sessionId))
        {
            return Problems.NotFound("Unknown conversation", $"You have no conversation '{sessionId}'.");
        }
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length == 0)
        {
            lastEventId = context.Request.Query["last_event_id"].ToString();
        }
        var from = lastEventId.Length == 0 ? null : LiveEvents.Place.Parse(lastEventId, missions, chats);

        if (slots.TryTake(person, person.IsLocal ? 0 : limits.Value.StreamsPerPerson) is not { } slot)
        {
            return Problems.TooMany(context, "Too many live streams",
                $"You have {limits.Value.StreamsPerPerson} live streams open, the most one person may; close a tab or two.", 5);
        }
        context.Response.RegisterForDispose(slot);
        context.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(LiveEvents.EventsAsync(
            missions, chats, reader.Index, person, sessionId.Length > 0 ? sessionId : null, from, reset: lastEventId.Length > 0 && from is null,
            message => JsonSerializer.Serialize(ChatMessageView.Of(message, markup), json.Value.SerializerOptions), context.RequestAborted));
    }
}
