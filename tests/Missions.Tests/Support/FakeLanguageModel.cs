using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Missions.Tests.Support;

/// <summary>
/// An OpenAI-compatible chat-completions endpoint on 127.0.0.1 (<c>POST /v1/chat/completions</c>, the real
/// protocol's request and response shapes), answering what the test tells it to, or failing on purpose.
/// </summary>
public sealed class FakeLanguageModel : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeLanguageModel(WebApplication app, string endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The base URL to configure (<c>…/v1</c>).</summary>
    public string Endpoint { get; }

    /// <summary>What the next requests get: a reply's text, or an HTTP status to fail with.</summary>
    public Func<JsonNode, (int Status, string Content)> Answer { get; set; } = _ => (200, "");

    /// <summary>Request bodies and their Authorization headers, in order.</summary>
    public ConcurrentQueue<(JsonNode Body, string? Authorization)> Requests { get; } = new();

    public static async Task<FakeLanguageModel> StartAsync()
    {
        var app = LocalServer.Create();
        FakeLanguageModel? model = null;
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            var body = (await JsonNode.ParseAsync(context.Request.Body))!;
            model!.Requests.Enqueue((body, context.Request.Headers.Authorization.ToString()));
            var (status, content) = model.Answer(body);
            if (status != 200)
            {
                return Results.Json(new { error = new { message = "the model is overloaded", type = "server_error" } }, statusCode: status);
            }
            return Results.Json(new
            {
                id = "chatcmpl-test",
                @object = "chat.completion",
                created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                model = body["model"]!.GetValue<string>(),
                choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 100, completion_tokens = 20, total_tokens = 120 },
            });
        });
        var address = await LocalServer.StartAsync(app);
        model = new FakeLanguageModel(app, address + "/v1");
        return model;
    }

    /// <summary>The text of the request's message with this role (a string, or the JSON of content parts).</summary>
    public static string MessageOf(JsonNode body, string role)
    {
        var content = body["messages"]!.AsArray().First(m => m!["role"]!.GetValue<string>() == role)!["content"]!;
        return content is JsonValue text ? text.GetValue<string>() : content.ToJsonString();
    }

    public ValueTask DisposeAsync() => LocalServer.StopAsync(_app);
}
