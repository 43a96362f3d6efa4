using Missions.Chat;
using Missions.Web.Http;

namespace Missions.Web.Chat;

public static class ChatEndpoints
{
    public static IEndpointRouteBuilder MapChat(this IEndpointRouteBuilder app)
    {
        app.MapPost("/chat/integrated", SendAsync)
            .WithSummary("Send a chat message: answers at once with a reply, or with the mission it started.");
        app.MapGet("/api/chat/{sessionId}", GetConversationAsync)
            .WithSummary("The conversation of a session, oldest message first.");
        return app;
    }

    private static async Task<IResult> SendAsync(HttpRequest request, IGrainFactory grains)
    {
        var parsed = await ChatRequestReader.ReadAsync(request);
        if (parsed.Problem is { } problem)
        {
            return problem;
        }
        var body = parsed.Body!;
        var response = await grains.Session(body.SessionId)
            .SendAsync(new ChatRequest { Message = body.Message, ClientMessageId = body.ClientMessageId, Priority = body.Priority });
        return TypedResults.Ok(response);
    }

    private static async Task<IResult> GetConversationAsync(string sessionId, IGrainFactory grains)
    {
        if (!Ids.IsValid(sessionId))
        {
            return Problems.InvalidId("session id", sessionId);
        }
        var messages = await grains.Session(sessionId).GetMessagesAsync();
        return TypedResults.Ok(new ConversationResponse(sessionId, messages));
    }
}

/// <summary>The body of <c>GET /api/chat/{session_id}</c>.</summary>
public sealed record ConversationResponse(string SessionId, IReadOnlyList<ChatMessage> Messages);
