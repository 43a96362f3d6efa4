using Microsoft.Extensions.Options;
using Missions.Chat;
using Missions.Log;
using Missions.Schedules;
using Missions.Web.Http;
using Missions.Web.People;
using Missions.Web.Schedules;

namespace Missions.Web.Chat;

public static class ChatEndpoints
{
    public const int MaxConversationsListed = 200;

    public static IEndpointRouteBuilder MapChat(this IEndpointRouteBuilder app)
    {
        app.MapPost("/chat/integrated", SendAsync)
            .RequirePerson()
            .WithSummary("Send a chat message: answers at once with a reply, or with the mission it started. Without session_id it starts a new conversation.");
        app.MapGet("/api/chat/{sessionId}", GetConversationAsync)
            .RequirePerson()
            .WithSummary($"One of your conversations, oldest message first: the last ?limit= messages (default {ChatPage.DefaultLimit}, " +
                         $"max {ChatPage.MaxLimit}), ?before=<seq> for earlier ones, ?after=<seq> for the ones after a message.");
        app.MapGet("/api/conversations", ListConversations)
            .RequirePerson()
            .WithSummary($"Your conversations, the one that moved last first (at most {MaxConversationsListed}); ?archived=true lists the archived ones instead.");
        app.MapPatch("/api/conversations/{sessionId}", ChangeAsync)
            .RequirePerson()
            .WithSummary($"Renames one of your conversations ({{\"title\": text of 1 to {ConversationHeading.TitleLength} characters}}), archives or restores it ({{\"archived\": true or false}}), "
                + "and/or marks it read up to a message ({\"read_through\": seq}: its results up to there are no longer new in any of your browsers). Writing in an archived conversation restores it.");
        app.MapPost("/api/conversations", (HttpContext context, Access access) =>
                TypedResults.Created((string?)null, new NewConversation(access.NewSessionId(context.Person()))))
            .RequirePerson()
            .WithSummary("A new conversation's id (made by the server for you; nothing is written until its first message).");
        return app;
    }

    private static IResult ListConversations(HttpContext context, Access access)
    {
        var archived = context.Request.Query["archived"].ToString();
        if (archived.Length > 0 && archived is not ("true" or "false"))
        {
            return Problems.BadRequest("Invalid archived", $"archived is true or false, not '{Problems.Shorten(archived)}'.");
        }
        return TypedResults.Ok(new ConversationList(access.ConversationsOf(context.Person(), MaxConversationsListed, archived == "true")
            .Select(c => new ConversationSummary(c.SessionId, c.Title, c.Messages, c.StartedAt, c.LastAt, c.Archived, c.Unread, c.ReadThrough)).ToList()));
    }

    private const int MaxChangeBytes = 4 * 1024;

    private static async Task<IResult> ChangeAsync(string sessionId, HttpContext context, Access access, IGrainFactory grains)
    {
        if (!Ids.IsValid(sessionId))
        {
            return Problems.InvalidId("session id", sessionId);
        }
        var (document, problem) = await ChatRequestReader.ReadObjectAsync(context.Request, MaxChangeBytes, "{\"title\": \"Reminders research\"} or {\"archived\": true}");
        if (problem is not null)
        {
            return problem;
        }
        string? title;
        bool? archived;
        int? readThrough;
        using (document)
        {
            if (!ChatRequestReader.TryGetString(document!.RootElement, "title", required: false, out title, out problem)
                || !ChatRequestReader.TryGetBool(document.RootElement, "archived", out archived, out problem)
                || !ChatRequestReader.TryGetInt(document.RootElement, "read_through", 1, out readThrough, out problem))
            {
                return problem!;
            }
        }
        if (title is not null)
        {
            if (title.Any(c => char.IsControl(c) && !char.IsWhiteSpace(c)))
            {
                return Problems.BadRequest("Invalid title", "The title contains control characters.");
            }
            var collapsed = ConversationHeading.TitleOf(title);
            if (collapsed.Length == 0 || title.Trim().Length > ConversationHeading.TitleLength)
            {
                return Problems.BadRequest("Invalid title", $"A title is 1 to {ConversationHeading.TitleLength} characters; this one has {title.Trim().Length}.");
            }
            title = collapsed;
        }
        if (title is null && archived is null && readThrough is null)
        {
            return Problems.BadRequest("Nothing to change", "Send a new title ({\"title\": \"…\"}), archived true or false, or read_through (the last message seen).");
        }
        var person = context.Person();
        if (access.MayWriteTo(person, sessionId) && access.IsArchived(sessionId))
        {
            return ArchivedConversation(sessionId);
        }
        if (!access.MayWriteTo(person, sessionId) || !await grains.Session(sessionId).ChangeAsync(new ConversationChange { Title = title, Archived = archived, ReadThrough = readThrough }))
        {
            return Problems.NotFound("Unknown conversation", $"You have no conversation '{sessionId}' (a new one is listed once something is said in it).");
        }
        return TypedResults.Ok(new ConversationChanged(sessionId, title, archived, readThrough));
    }

    /// <summary>The rules only (no model): enough to tell work from talk, and a schedule, before it reaches the conversation.</summary>
    private static readonly IntentClassifier Rules = new();

    private static async Task<IResult> SendAsync(HttpContext context, IGrainFactory grains, Access access, MissionLogReader missions,
        IOptions<IntakeOptions> intake, IOptions<PersonLimits> limits)
    {
        var person = context.Person();
        var parsed = await ChatRequestReader.ReadAsync(context.Request);
        if (parsed.Problem is { } problem)
        {
            return problem;
        }
        var body = parsed.Body!;
        if (body.SessionId is { } named && !access.MayWriteTo(person, named))
        {
            return Problems.NotFound("Unknown conversation",
                $"You have no conversation '{Problems.Shorten(named)}'. Leave session_id out to start a new one; its id comes back in the answer.");
        }
        if (body.SessionId is { } continued && access.IsArchived(continued))
        {
            return ArchivedConversation(continued);
        }
        if (Refusal(context, person, body.Message, missions, intake.Value, limits.Value) is { } refused)
        {
            return refused;
        }
        var sessionId = body.SessionId ?? access.NewSessionId(person);
        var response = await grains.Session(sessionId)
            .SendAsync(new ChatRequest { Message = body.Message, ClientMessageId = body.ClientMessageId, Priority = body.Priority, Owner = person.Id });
        return TypedResults.Ok(response);
    }

    /// <summary>
    /// Why a message that asks for work is refused before anything is written, or null: the service's bound on
    /// everything waiting (503), the person's own bounds on waiting missions and on schedules (429). The message is
    /// classified only when a bound is reached: under them, nothing is refused, whatever it asks.
    /// </summary>
    private static IResult? Refusal(HttpContext context, Person person, string message, MissionLogReader missions, IntakeOptions intake, PersonLimits limits)
    {
        Intent? intent = null;
        Intent Work() => intent ??= Rules.Classify(message);
        if (!person.IsLocal && limits.SchedulesPerPerson > 0 && missions.Index.Schedules(person.Id) is { } schedules && schedules.Count >= limits.SchedulesPerPerson
            && Work() is { Kind: IntentKind.Actionable, Schedule: not null })
        {
            var kept = schedules.Count(id => missions.ReadSchedule(id) is { Exists: true, Deleted: false });
            return kept >= limits.SchedulesPerPerson
                ? Problems.TooMany(context, "Too many schedules",
                    $"You keep {kept} schedules, the most one person may ({limits.SchedulesPerPerson}). Stop one first (\"schedules\" lists them).",
                    Math.Max(1, intake.RetryAfterSeconds))
                : null;
        }
        return Intake.Refusal(context, person, missions, intake, limits) is { } refused && Work() is { Kind: IntentKind.Actionable, Schedule: null } ? refused : null;
    }

    private static async Task<IResult> GetConversationAsync(string sessionId, HttpContext context, Access access, IConversationReader conversations, MessageMarkup markup)
    {
        if (!Ids.IsValid(sessionId))
        {
            return Problems.InvalidId("session id", sessionId);
        }
        var request = context.Request;
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
        if (!access.MayRead(context.Person(), sessionId))
        {
            return Problems.NotFound("Unknown conversation", $"You have no conversation '{sessionId}'.");
        }
        var page = await conversations.ReadAsync(sessionId, before, after, limit ?? ChatPage.DefaultLimit);
        if (page.Messages.Count == 0 && !page.HasEarlier && access.ArchivedConversation(sessionId) is { } archived)
        {
            // Moved to the archive: read from there, paged the same way.
            var (from, to) = ChatPage.Window(archived.Count, before, after, limit ?? ChatPage.DefaultLimit);
            return TypedResults.Ok(new ConversationResponse(sessionId, [.. archived.Skip(from).Take(to - from).Select(m => ChatMessageView.Of(m, markup))], from > 0, to < archived.Count)
            {
                InArchive = true,
            });
        }
        return TypedResults.Ok(new ConversationResponse(sessionId, [.. page.Messages.Select(m => ChatMessageView.Of(m, markup))], page.HasEarlier, page.HasLater));
    }

    private static IResult ArchivedConversation(string sessionId) => TypedResults.Problem(title: "Archived conversation", statusCode: StatusCodes.Status410Gone,
        detail: new ConversationArchivedException(sessionId).Message.TrimEnd('.') + " (leave session_id out).");
}

/// <summary>The body of <c>GET /api/chat/{session_id}</c>.</summary>
public sealed record ConversationResponse(string SessionId, IReadOnlyList<ChatMessageView> Messages, bool HasEarlier, bool HasLater)
{
    /// <summary>Read from the archive (<c>Missions:Retention:IdleConversationDays</c>): it can be read, not continued.</summary>
    public bool InArchive { get; init; }
}

/// <summary>The body of <c>POST /api/conversations</c>.</summary>
public sealed record NewConversation(string SessionId);

/// <summary>The body of <c>GET /api/conversations</c>.</summary>
public sealed record ConversationList(IReadOnlyList<ConversationSummary> Conversations);

/// <summary>One conversation in the list: its id, a title (the person's, else the start of its first message), how many messages, when it began and last moved, whether it is archived.</summary>
/// <param name="Unread">A result came in after the person last looked (in any of their browsers).</param>
/// <param name="ReadThrough">The last message the person has seen (marked read, or the last they wrote).</param>
public sealed record ConversationSummary(string SessionId, string Title, int Messages, DateTime StartedAt, DateTime LastActivity, bool Archived, bool Unread, int ReadThrough);

/// <summary>The body of <c>PATCH /api/conversations/{session_id}</c>'s answer: what was changed (null: left as it was).</summary>
public sealed record ConversationChanged(string SessionId, string? Title, bool? Archived, int? ReadThrough);

/// <summary>A message as the page gets it: the stored message and, for an answer, its Markdown as sanitized HTML.</summary>
public sealed record ChatMessageView
{
    public required string SessionId { get; init; }
    public int Seq { get; init; }
    public required DateTime Timestamp { get; init; }
    public required string Role { get; init; }

    /// <summary>The message as written (an answer's Markdown source).</summary>
    public required string Text { get; init; }

    /// <summary>An answer's text as HTML that is safe to insert (see <see cref="MessageMarkup"/>); none on a person's own message.</summary>
    public string? Html { get; init; }

    public string? MissionId { get; init; }
    public string? ClientMessageId { get; init; }
    public string? ReplyType { get; init; }
    public MissionStatus? Status { get; init; }
    public int? Attempt { get; init; }
    public string? ScheduleId { get; init; }

    public static ChatMessageView Of(ChatMessage message, MessageMarkup markup) => new()
    {
        SessionId = message.SessionId, Seq = message.Seq, Timestamp = message.Timestamp, Role = message.Role, Text = message.Text,
        Html = markup.HtmlOf(message), MissionId = message.MissionId, ClientMessageId = message.ClientMessageId,
        ReplyType = message.ReplyType, Status = message.Status, Attempt = message.Attempt, ScheduleId = message.ScheduleId,
    };
}
