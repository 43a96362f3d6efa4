namespace Missions.LanguageModel;

/// <summary>
/// The optional language model (<c>Missions:Llm</c>): any OpenAI-compatible chat-completions endpoint, such as a
/// local Ollama (<c>http://127.0.0.1:11434/v1</c>). Without an endpoint and a model, none is used.
/// </summary>
public sealed class LlmOptions
{
    public const string Section = "Missions:Llm";

    /// <summary>The API's base URL, up to and including <c>/v1</c>.</summary>
    public string? Endpoint { get; set; }

    public string? Model { get; set; }

    /// <summary>
    /// The API key. Give it through the environment (<c>Missions__Llm__ApiKey</c>, or <c>OPENAI_API_KEY</c>),
    /// never in a file; local servers need none.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one model call may take before the extractive path is used instead.</summary>
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary>Whether the model also reads messages the rules take for small talk, to spot requests for work.</summary>
    public bool ClassifyIntent { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Model);
}
