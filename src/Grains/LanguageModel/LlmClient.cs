using Missions.Execution;
using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Missions.LanguageModel;

/// <summary>
/// The configured language model as an <see cref="IChatClient"/> (Microsoft.Extensions.AI over the OpenAI
/// protocol), or none: the one a silo registers with <c>AddChatClient</c> (see <see cref="AddLanguageModel"/>), or
/// one made here when constructed by hand. Calls are bounded by <see cref="LlmOptions.TimeoutSeconds"/>.
/// </summary>
public sealed class LlmClient : IDisposable
{
    private readonly IChatClient? _client;

    /// <summary>True when this instance made its client (and so disposes it); a registered one is the container's.</summary>
    private readonly bool _ownsClient;

    public LlmClient(IOptions<LlmOptions> options, IChatClient? chatClient = null)
    {
        Options = options.Value;
        if (Options.IsConfigured)
        {
            _ownsClient = chatClient is null;
            _client = chatClient ?? ChatClientFor(Options);
        }
    }

    /// <summary>The model's client over the OpenAI protocol: no retries of its own (the fallback is the retry).</summary>
    public static IChatClient ChatClientFor(LlmOptions options)
    {
        var key = options.ApiKey ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY");
        var openAi = new OpenAIClientOptions
        {
            Endpoint = new Uri(options.Endpoint!),
            NetworkTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        return new OpenAI.Chat.ChatClient(options.Model!, new ApiKeyCredential(string.IsNullOrEmpty(key) ? "none" : key), openAi).AsIChatClient();
    }

    /// <summary>
    /// Registers the configured model as the process's <see cref="IChatClient"/>, with OpenTelemetry spans of each call
    /// (under the <c>Missions</c> source; prompts and replies are not recorded); nothing when no model is configured.
    /// </summary>
    public static void AddLanguageModel(Microsoft.Extensions.DependencyInjection.IServiceCollection services, LlmOptions options)
    {
        if (options.IsConfigured)
        {
            Microsoft.Extensions.DependencyInjection.ChatClientBuilderServiceCollectionExtensions
                .AddChatClient(services, _ => ChatClientFor(options))
                .UseOpenTelemetry(sourceName: Telemetry.MissionsTelemetry.Name);
        }
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
        return PlainText.Clip(reason, 300);
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client?.Dispose();
        }
    }
}
