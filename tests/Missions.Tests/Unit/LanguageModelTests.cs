using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Missions.Chat;
using Missions.Execution;
using Missions.LanguageModel;
using Missions.Research;
using Missions.Tests.Support;

namespace Missions.Tests.Unit;

/// <summary>The optional language model over the OpenAI protocol: the answer it writes, the intents it reads, and the fallbacks when it fails.</summary>
public sealed class LanguageModelTests : IAsyncLifetime
{
    private TestWebsite _site = null!;
    private FakeLanguageModel _model = null!;
    private readonly TempDirectory _data = new();

    public async Task InitializeAsync()
    {
        _site = await TestWebsite.StartAsync();
        _model = await FakeLanguageModel.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        await _model.DisposeAsync();
        _data.Dispose();
    }

    private LlmOptions Llm => new() { Endpoint = _model.Endpoint, Model = "test-model", ApiKey = "sk-test", TimeoutSeconds = 5 };

    private MissionWork Work() => new(
        "m1", 1, new Objective { Type = "research", Description = "research where Orleans reminders are stored" },
        new MissionConstraints { AllowedDomains = ["127.0.0.1"], MaxPages = 3, MaxDurationSeconds = 60 },
        [_site.Url("/")]);

    [Fact]
    public async Task The_model_writes_the_answer_from_the_ranked_passages_and_the_sources_are_appended()
    {
        _model.Answer = body => IsLinkChoice(body) ? (200, "1") : (200, "Reminders are kept in the reminder table of the configured provider [1].");
        using var agent = ResearchAgentTests.Agent(_data.Path, llm: Llm);

        var outcome = await agent.ExecuteAsync(Work(), CancellationToken.None);

        var answer = outcome.Result.FinalAnswer;
        Assert.Contains("Reminders are kept in the reminder table of the configured provider [1].", answer);
        Assert.Contains("an answer written by the language model", answer);
        Assert.Contains("[1] Reminder Storage — " + _site.Url("/reminders/storage"), answer);
        Assert.Contains("Sources read:", answer);
        Assert.Contains("llm_answer", outcome.Result.ToolsUsed);
        var (body, authorization) = Assert.Single(_model.Requests, r => !IsLinkChoice(r.Body));
        Assert.Equal("test-model", body["model"]!.GetValue<string>());
        Assert.Equal("Bearer sk-test", authorization);
        var prompt = FakeLanguageModel.MessageOf(body, "user");
        Assert.Contains("Question: research where Orleans reminders are stored", prompt);
        Assert.Contains("[1] (Reminder Storage, " + _site.Url("/reminders/storage") + ")", prompt);
        Assert.Contains("reminder table of the configured reminder service", prompt);
        Assert.Contains("Cite the passages", FakeLanguageModel.MessageOf(body, "system"));
    }

    [Theory]
    [InlineData(500, "")]
    [InlineData(200, "")]
    public async Task A_failing_or_empty_model_falls_back_to_the_extractive_answer_and_says_so(int status, string content)
    {
        _model.Answer = _ => (status, content);
        using var agent = ResearchAgentTests.Agent(_data.Path, llm: Llm);

        var outcome = await agent.ExecuteAsync(Work(), CancellationToken.None);

        Assert.True(outcome.Result.Success);
        Assert.Contains("reminders are stored in the reminder table of the configured reminder service", outcome.Result.FinalAnswer);
        Assert.DoesNotContain("llm_answer", outcome.Result.ToolsUsed);
        Assert.Contains(outcome.Result.Notes, n => n.StartsWith("The language model could not write the answer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unreachable_model_falls_back_too()
    {
        var llm = Llm;
        llm.Endpoint = $"http://127.0.0.1:{FreePort.Next()}/v1";
        using var agent = ResearchAgentTests.Agent(_data.Path, llm: llm);

        var outcome = await agent.ExecuteAsync(Work(), CancellationToken.None);

        Assert.True(outcome.Result.Success);
        Assert.Contains(outcome.Result.Notes, n => n.StartsWith("The language model could not write the answer", StringComparison.Ordinal));
    }

    private static bool IsLinkChoice(System.Text.Json.Nodes.JsonNode body) =>
        FakeLanguageModel.MessageOf(body, "system").Contains("which web page to read next", StringComparison.Ordinal);

    private MissionWork Crawl(string question, int pages) => new(
        Ids.NewMissionId(), 1, new Objective { Type = "research", Description = question },
        new MissionConstraints { AllowedDomains = ["127.0.0.1"], MaxPages = pages, MaxDurationSeconds = 60 },
        [_site.Url("/")]);

    [Fact]
    public async Task The_model_picks_the_next_page_among_the_best_candidates_within_the_budget()
    {
        // Words alone read the topics in their order; the model knows topic 5 ("transactions") is the one.
        _model.Answer = body => IsLinkChoice(body)
            ? (200, ChoiceOf(FakeLanguageModel.MessageOf(body, "user"), "transactions"))
            : (500, "");
        using var agent = ResearchAgentTests.Agent(_data.Path, llm: Llm);

        var outcome = await agent.ExecuteAsync(Crawl("fetch an overview", 2), CancellationToken.None);

        Assert.Equal(["/", "/topics/4"], _site.PageRequests);
        Assert.Contains("llm_links", outcome.Result.ToolsUsed);
        Assert.Equal(2, outcome.Result.PagesFetched); // the budget holds
        var prompt = FakeLanguageModel.MessageOf(_model.Requests.First(r => IsLinkChoice(r.Body)).Body, "user");
        Assert.Contains("Question: fetch an overview", prompt);
        Assert.Contains("1. ", prompt);
        Assert.DoesNotContain("9. ", prompt); // at most eight candidates a step
    }

    [Theory]
    [InlineData(500, "")]
    [InlineData(200, "I would rather not say")]
    [InlineData(200, "99")]
    public async Task A_model_that_fails_or_names_no_candidate_leaves_the_words_order(int status, string reply)
    {
        _model.Answer = body => IsLinkChoice(body) ? (status, reply) : (500, "");
        using var agent = ResearchAgentTests.Agent(_data.Path, llm: Llm);

        var outcome = await agent.ExecuteAsync(Crawl("fetch an overview", 3), CancellationToken.None);

        Assert.True(outcome.Result.Success);
        Assert.Equal(["/", "/reminders", "/timers"], _site.PageRequests); // as without a model
        Assert.DoesNotContain("llm_links", outcome.Result.ToolsUsed);
        var failed = status != 200;
        Assert.Equal(failed, outcome.Result.Notes.Any(n => n.StartsWith("The language model could not choose the links", StringComparison.Ordinal)));
        Assert.Equal(failed ? 1 : 2, _model.Requests.Count(r => IsLinkChoice(r.Body))); // after a failure the mission stops asking
    }

    /// <summary>The number of the candidate line that mentions the word, as a model would reply.</summary>
    private static string ChoiceOf(string prompt, string word) =>
        prompt.Split('\n').First(l => l.Contains(word, StringComparison.Ordinal) && char.IsDigit(l[0])).Split('.')[0];

    [Fact]
    public async Task The_model_recognises_work_the_rules_miss_and_its_failure_leaves_the_rules_reading()
    {
        const string message = "what's new in Orleans 10 on learn.microsoft.com?";
        _model.Answer = _ => (200, "```json\n{\"work\": true, \"type\": \"research\"}\n```");
        using var llm = new LlmClient(Options.Create(Llm));
        var reader = new LlmIntentReader(new IntentClassifier(), llm, NullLogger<LlmIntentReader>.Instance);

        var read = await reader.ClassifyAsync(message);
        _model.Answer = _ => (503, "");
        var fallback = await reader.ClassifyAsync(message);
        var steering = await reader.ClassifyAsync("status");

        Assert.Equal(IntentKind.Actionable, read.Kind);
        Assert.Equal("research", read.ObjectiveType);
        Assert.Equal(["learn.microsoft.com"], read.Domains);
        Assert.Equal(IntentKind.Conversational, fallback.Kind);
        Assert.Equal(IntentKind.Command, steering.Kind);
        Assert.Equal(2, _model.Requests.Count); // commands never go to the model
        Assert.Equal(message, FakeLanguageModel.MessageOf(_model.Requests.First().Body, "user"));
    }

    [Fact]
    public async Task The_silo_registers_the_model_as_its_chat_client_and_traces_each_call()
    {
        _model.Answer = _ => (200, "fine");
        var spans = new List<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == Missions.Telemetry.MissionsTelemetry.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity); } },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Microsoft.Extensions.DependencyInjection.LoggingServiceCollectionExtensions.AddLogging(services);
        LlmClient.AddLanguageModel(services, Llm);
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, Options.Create(Llm));
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<LlmClient>(services);
        await using var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);

        var llm = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<LlmClient>(provider);
        Assert.Equal("fine", await llm.CompleteAsync("system", "user", CancellationToken.None));

        lock (spans)
        {
            Assert.Contains(spans, s => s.DisplayName.StartsWith("chat", StringComparison.Ordinal) && s.Kind == System.Diagnostics.ActivityKind.Client);
        }
    }
}
