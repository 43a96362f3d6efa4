using Microsoft.Extensions.Options;
using Missions.Chat;
using Missions.Log;
using Missions.Web.Http;

namespace Missions.Web.Chat;

public static class ChatEndpoints
{
    public static IEndpointRouteBuilder MapChat(this IEndpointRouteBuilder app)
    {
        app.MapPost("/chat/integrated", SendAsync)
            .WithSummary("Send a chat message: answers at once with a reply, or with the mission it started.");
        app.MapGet("/api/chat/{sessionId}", GetConversationAsync)
            .WithSummary($"A session's conversation, oldest message first: the last ?limit= messages (default {ChatPage.DefaultLimit}, " +
                         $"max {ChatPage.MaxLimit}), ?before=<seq> for earlier ones, ?after=<seq> for the ones after a message.");
        return app;
    }

    /// <summary>The rules only (no model): enough to tell work from talk before it reaches the session.</summary>
    private static readonly IntentClassifier Rules = new();

    private static async Task<IResult> SendAsync(HttpRequest request, IGrainFactory grains, MissionLogReader missions, IOptions<IntakeOptions> intake)
    {
        var parsed = await ChatRequestReader.ReadAsync(request);
        if (parsed.Problem is { } problem)
        {
            return problem;
        }
        var body = parsed.Body!;
        var bound = intake.Value.MaxQueued;
        if (bound > 0 && missions.Index.CountOf(MissionStatus.Queued) is var queued && queued >= bound
            && Rules.Classify(body.Message).Kind == IntentKind.Actionable)
        {
            var wait = Math.Max(1, intake.Value.RetryAfterSeconds);
            request.HttpContext.Response.Headers.RetryAfter = wait.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(title: "Too much work queued",
                detail: $"{queued} missions are waiting to run, the most this service queues ({bound}). Ask again in {wait} s; talk and steering (\"status\", \"cancel …\") still work.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        var response = await grains.Session(body.SessionId)
            .SendAsync(new ChatRequest { Message = body.Message, ClientMessageId = body.ClientMessageId, Priority = body.Priority });
        return TypedResults.Ok(response);
    }

    private static async Task<IResult> GetConversationAsync(string sessionId, HttpRequest request, IConversationReader conversations)
    {
        if (!Ids.IsValid(sessionId))
        {
            return Problems.InvalidId("session id", sessionId);
        }
        if (!QueryNumbers.TryRead(request, "limit", 1, ChatPage.MaxLimit, out var limit, out var problem)
            || !QueryNumbers.TryRead(request, "before", 1, int.MaxValue, out var before, out problem)
            || !QueryNumbers.TryRead(request, "after", 0, int.MaxValue, out var after, out problem))
        {
            return problem!;
        }
        if (before is not null && after is not null)
        {
            return Problems.BadRequest("Invalid page", "Give before or after, not both: before pages back from a message, after reads on from one.");
        }
        var page = await conversations.ReadAsync(sessionId, before, after, limit ?? ChatPage.DefaultLimit);
        return TypedResults.Ok(new ConversationResponse(sessionId, page.Messages, page.HasEarlier, page.HasLater));
    }
}

/// <summary>The body of <c>GET /api/chat/{session_id}</c>.</summary>
public sealed record ConversationResponse(string SessionId, IReadOnlyList<ChatMessage> Messages, bool HasEarlier, bool HasLater);
