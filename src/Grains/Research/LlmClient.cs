using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Missions.Research;

/// <summary>
/// The configured language model as an <see cref="IChatClient"/> (Microsoft.Extensions.AI over the OpenAI
/// protocol), or none. One instance per process; calls are bounded by <see cref="LlmOptions.TimeoutSeconds"/>.
/// </summary>
public sealed class LlmClient : IDisposable
{
    private readonly IChatClient? _client;

    public LlmClient(IOptions<LlmOptions> options)
    {
        Options = options.Value;
        if (!Options.IsConfigured)
        {
            return;
        }
        var key = Options.ApiKey ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY");
        var openAi = new OpenAIClientOptions
        {
            Endpoint = new Uri(Options.Endpoint!),
            NetworkTimeout = TimeSpan.FromSeconds(Options.TimeoutSeconds),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0), // the fallback is the retry
        };
        _client = new OpenAI.Chat.ChatClient(Options.Model!, new ApiKeyCredential(string.IsNullOrEmpty(key) ? "none" : key), openAi).AsIChatClient();
    }

    public LlmOptions Options { get; }

    public bool IsConfigured => _client is not null;

    /// <summary>The model's reply text; throws when there is no model or the call fails.</summary>
    public async Task<string> CompleteAsync(string system, string user, CancellationToken cancellationToken)
    {
        var client = _client ?? throw new InvalidOperationException("No language model is configured.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Options.TimeoutSeconds));
        var response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, user)],
            new ChatOptions { Temperature = 0.2f },
            timeout.Token);
        return response.Text;
    }

    /// <summary>
    /// Why a call failed, in a line a note can carry (at most 300 characters), counted on <c>missions.llm.failures</c>
    /// under its use: the error's message, or which clock ran out.
    /// </summary>
    public string Failure(Exception ex, string use, CancellationToken cancellationToken)
    {
        Telemetry.MissionsTelemetry.LlmFailures.Add(1, new KeyValuePair<string, object?>("use", use));
        var reason = ex is not OperationCanceledException ? ex.Message
            : cancellationToken.IsCancellationRequested ? "the mission's time ran out first"
            : $"no answer within {Options.TimeoutSeconds} s";
        return PageLimits.Clip(reason, 300);
    }

    public void Dispose() => _client?.Dispose();
}
