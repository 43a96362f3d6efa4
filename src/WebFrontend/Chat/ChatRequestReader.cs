using System.Text.Json;
using Missions.Chat;
using Missions.Web.Http;

namespace Missions.Web.Chat;

/// <summary>
/// Reads and validates the body of <c>POST /chat/integrated</c> at the edge, so nothing invalid reaches a grain
/// or the log. Body: <c>{"session_id"?: id, "message": text, "client_message_id"?: id, "priority"?: "high"|"normal"|"low"}</c>; at most
/// <see cref="MaxBodyBytes"/> bytes, a message of at most <see cref="ChatRequest.MaxMessageLength"/> characters.
/// A missing session id starts a new conversation (its id is the server's).
/// </summary>
public static class ChatRequestReader
{
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxClientMessageIdLength = 128;

    public sealed record Body(string? SessionId, string Message, string? ClientMessageId, MissionPriority? Priority);

    public readonly record struct Result(Body? Body, IResult? Problem);

    public static async Task<Result> ReadAsync(HttpRequest request)
    {
        var (document, failed) = await ReadObjectAsync(request, MaxBodyBytes, "{\"session_id\": \"s-1\", \"message\": \"hello\"}");
        if (failed is not null)
        {
            return Fail(failed);
        }
        using (document)
        {
            var root = document!.RootElement;
            if (!TryGetString(root, "message", required: true, out var message, out var problem))
            {
                return Fail(problem!);
            }
            if (!TryGetString(root, "session_id", required: false, out var sessionId, out problem)
                || !TryGetString(root, "client_message_id", required: false, out var clientMessageId, out problem)
                || !TryGetString(root, "priority", required: false, out var priorityText, out problem))
            {
                return Fail(problem!);
            }

            if (string.IsNullOrWhiteSpace(message))
            {
                return Fail(Problems.BadRequest("Empty message", "The message is empty: say what you would like done."));
            }
            if (message!.Length > ChatRequest.MaxMessageLength)
            {
                return Fail(Problems.TooLarge($"The message is {message.Length} characters; the limit is {ChatRequest.MaxMessageLength}."));
            }
            if (message.Contains('\0'))
            {
                return Fail(Problems.BadRequest("Invalid message", "The message contains a NUL character."));
            }
            if (sessionId is not null && !Ids.IsValid(sessionId))
            {
                return Fail(Problems.InvalidId("session id", sessionId));
            }
            if (clientMessageId is not null
                && (clientMessageId.Length is 0 or > MaxClientMessageIdLength || clientMessageId.Any(char.IsControl)))
            {
                return Fail(Problems.BadRequest("Invalid client_message_id",
                    $"client_message_id must be 1 to {MaxClientMessageIdLength} characters without control characters."));
            }
            MissionPriority? priority = null;
            if (priorityText is not null)
            {
                if (!Enum.TryParse<MissionPriority>(priorityText, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(priorityText, out _))
                {
                    return Fail(Problems.BadRequest("Invalid priority", $"'{priorityText}' is not a priority; use high, normal or low."));
                }
                priority = parsed;
            }
            return new Result(new Body(sessionId, message, clientMessageId, priority), null);
        }
    }

    /// <summary>A request's body as one JSON object of at most <paramref name="maxBytes"/>, or the problem that says why not (<paramref name="example"/> shows what to send).</summary>
    internal static async Task<(JsonDocument? Document, IResult? Problem)> ReadObjectAsync(HttpRequest request, int maxBytes, string example)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, Problems.TooLarge($"The request body is {request.ContentLength} bytes; the limit is {maxBytes} bytes."));
        }
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                return (null, Problems.TooLarge($"The request body is over the limit of {maxBytes} bytes."));
            }
        }
        if (buffer.Length == 0)
        {
            return (null, Problems.BadRequest("Empty request body", $"Send a JSON object such as {example}."));
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        }
        catch (JsonException ex)
        {
            return (null, Problems.BadRequest("Malformed JSON", $"The request body is not valid JSON: {ex.Message}"));
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = Describe(document.RootElement.ValueKind);
            document.Dispose();
            return (null, Problems.BadRequest("Wrong body", $"The request body must be a JSON object, not {kind}."));
        }
        return (document, null);
    }

    internal static bool TryGetString(JsonElement root, string name, bool required, out string? value, out IResult? problem)
    {
        value = null;
        problem = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                problem = Problems.BadRequest($"Missing {name}", $"The field '{name}' is required.");
                return false;
            }
            return true;
        }
        if (element.ValueKind != JsonValueKind.String)
        {
            problem = Problems.BadRequest($"Wrong type for {name}", $"The field '{name}' must be a string, not {Describe(element.ValueKind)}.");
            return false;
        }
        try
        {
            value = element.GetString();
        }
        catch (InvalidOperationException)
        {
            // "\ud800" alone is valid JSON but no text: a lone surrogate cannot be stored or shown.
            problem = Problems.BadRequest($"Invalid {name}", $"The field '{name}' is not valid Unicode text (it holds a lone surrogate escape such as \\ud800).");
            return false;
        }
        return true;
    }

    /// <summary>An optional true/false field: null when absent or null, a problem when it is anything else.</summary>
    internal static bool TryGetBool(JsonElement root, string name, out bool? value, out IResult? problem)
    {
        value = null;
        problem = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }
        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            problem = Problems.BadRequest($"Wrong type for {name}", $"The field '{name}' must be true or false, not {Describe(element.ValueKind)}.");
            return false;
        }
        value = element.GetBoolean();
        return true;
    }

    /// <summary>An optional whole number of at least <paramref name="min"/>: null when absent or null, a problem when it is anything else.</summary>
    internal static bool TryGetInt(JsonElement root, string name, int min, out int? value, out IResult? problem)
    {
        value = null;
        problem = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var number) || number < min)
        {
            problem = Problems.BadRequest($"Wrong type for {name}", $"The field '{name}' must be a whole number of at least {min}, not {(element.ValueKind == JsonValueKind.Number ? Problems.Shorten(element.GetRawText()) : Describe(element.ValueKind))}.");
            return false;
        }
        value = number;
        return true;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.String => "a string",
        _ => "null",
    };

    private static Result Fail(IResult problem) => new(null, problem);
}
