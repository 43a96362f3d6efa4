using System.Text.Json;
using Missions.LanguageModel;
using Missions.Telemetry;

namespace Missions.Chat;

/// <summary>
/// Reads a message's intent: the rules first; with a language model configured, a message the rules take for
/// talk (or work with no site) is also put to the model, which may recognise a request for work the rules'
/// verbs miss ("what's new in Orleans 10 on learn.microsoft.com?"). The model only says whether it is work and
/// of which type; the sites and budgets still come from the message itself. A failing model leaves the rules'
/// reading, and is logged and counted.
/// </summary>
public sealed partial class LlmIntentReader(IntentClassifier rules, LlmClient llm, ILogger<LlmIntentReader> logger)
{
    private const string System =
        "Classify a chat message sent to a research assistant that reads web pages. Reply with JSON only: " +
        "{\"work\": true|false, \"type\": \"research\"|\"summarize\"|\"fetch\"|\"check\"}. " +
        "work is true when the message asks the assistant to find out, read, summarize or check something; " +
        "false for greetings, thanks, and questions about the assistant itself.";

    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "research", "summarize", "fetch", "check" };

    public async Task<Intent> ClassifyAsync(string message, CancellationToken cancellationToken = default)
    {
        var intent = rules.Classify(message);
        if (intent.Kind is IntentKind.Actionable or IntentKind.Command || !llm.IsConfigured || !llm.Options.ClassifyIntent)
        {
            return intent;
        }
        try
        {
            var reply = await llm.CompleteAsync(System, message, cancellationToken);
            var start = reply.IndexOf('{');
            var end = reply.LastIndexOf('}');
            if (start < 0 || end < start)
            {
                throw new FormatException($"the model's reply is not JSON: {Shorten(reply)}");
            }
            using var json = JsonDocument.Parse(reply.AsMemory(start, end - start + 1));
            var work = json.RootElement.TryGetProperty("work", out var w) && w.ValueKind == JsonValueKind.True;
            if (!work)
            {
                return intent with { Kind = IntentKind.Conversational };
            }
            var type = json.RootElement.TryGetProperty("type", out var t) && t.GetString() is { } named && Types.Contains(named)
                ? named
                : intent.ObjectiveType is { Length: > 0 } ruled ? ruled : "research";
            var somewhere = intent.Urls.Count > 0 || intent.Domains.Count > 0;
            return intent with { Kind = somewhere ? IntentKind.Actionable : IntentKind.NeedsSite, ObjectiveType = type };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, ex, Shorten(ex.Message));
            MissionsTelemetry.LlmFailures.Add(1, new KeyValuePair<string, object?>("use", "intent"));
            return intent;
        }
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The language model could not classify a message ({Reason}); the rules' reading stands")]
    private static partial void LogFailed(ILogger logger, Exception ex, string reason);
}
