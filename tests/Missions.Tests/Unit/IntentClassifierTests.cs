namespace Missions.Tests.Unit;

public sealed class IntentClassifierTests
{
    private readonly IntentClassifier _classifier = new();

    [Theory]
    [InlineData("research Orleans reminders on learn.microsoft.com, up to 5 pages", "research")]
    [InlineData("Find the pricing page on example.com", "research")]
    [InlineData("look up grain timers at https://learn.microsoft.com/dotnet/orleans", "research")]
    [InlineData("summarize https://example.org/post", "summarize")]
    [InlineData("fetch https://example.org/a and https://example.org/b", "fetch")]
    [InlineData("check whether status.example.com is up", "check")]
    [InlineData("https://example.org/news", "fetch")]
    public void Requests_for_work_somewhere_are_actionable(string message, string type)
    {
        var intent = _classifier.Classify(message);

        Assert.Equal(IntentKind.Actionable, intent.Kind);
        Assert.Equal(type, intent.ObjectiveType);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("Hi there!")]
    [InlineData("what can you do?")]
    [InlineData("who are you")]
    [InlineData("thanks")]
    [InlineData("I like Node.js and e.g. config.yaml files")]
    public void Talk_is_conversational(string message) =>
        Assert.Equal(IntentKind.Conversational, _classifier.Classify(message).Kind);

    [Fact]
    public void Request_with_nowhere_to_work_asks_for_a_site() =>
        Assert.Equal(IntentKind.NeedsSite, _classifier.Classify("research the history of actors").Kind);

    [Fact]
    public void Domains_named_or_linked_become_allowed_domains()
    {
        var intent = _classifier.Classify("compare https://www.example.com/a with docs.example.org and Learn.Microsoft.com.");

        Assert.Equal(["www.example.com", "docs.example.org", "learn.microsoft.com"], intent.Domains);
        Assert.Equal(["https://www.example.com/a"], intent.Urls.Select(u => u.ToString()));
    }

    [Theory]
    [InlineData("research x on example.com, up to 3 pages", 3)]
    [InlineData("research x on example.com max 12 pages", 12)]
    [InlineData("research x on example.com 1 page", 1)]
    [InlineData("research x on example.com up to 1000 pages", 50)]
    [InlineData("research x on example.com", 5)]
    public void Page_budget_comes_from_the_message_and_is_bounded(string message, int pages) =>
        Assert.Equal(pages, MissionDraftBuilder.MaxPagesIn(message));

    [Theory]
    [InlineData("research x on example.com within 30 seconds", 30)]
    [InlineData("research x on example.com within 2 minutes", 120)]
    [InlineData("research x on example.com in 5 min", 300)]
    [InlineData("research x on example.com, a 10-minute job", 600)]
    [InlineData("research x on example.com within 1 second", 5)]
    [InlineData("research x on example.com within 9 hours", 3600)]
    [InlineData("research x on example.com", 60)]
    public void Time_budget_comes_from_the_message_and_is_bounded(string message, int seconds) =>
        Assert.Equal(seconds, MissionDraftBuilder.MaxDurationIn(message));

    [Theory]
    [InlineData("urgent: research x on example.com", MissionPriority.High)]
    [InlineData("research x on example.com asap", MissionPriority.High)]
    [InlineData("research x on example.com, no rush", MissionPriority.Low)]
    [InlineData("research x on example.com, not urgent", MissionPriority.Low)]
    [InlineData("research x on example.com", MissionPriority.Normal)]
    public void Priority_comes_from_the_words(string message, MissionPriority priority) =>
        Assert.Equal(priority, MissionDraftBuilder.PriorityIn(message));

    [Fact]
    public void Draft_carries_the_objective_constraints_start_urls_and_source_message()
    {
        const string message = "summarize https://example.org/post up to 2 pages within 90 seconds";
        var draft = MissionDraftBuilder.Build("s1", message, _classifier.Classify(message), "c1");

        Assert.Equal("summarize", draft.Objective.Type);
        Assert.Equal(["example.org"], draft.Constraints.AllowedDomains);
        Assert.Equal(2, draft.Constraints.MaxPages);
        Assert.Equal(90, draft.Constraints.MaxDurationSeconds);
        Assert.Equal(["https://example.org/post"], draft.StartUrls);
        Assert.Equal(message, draft.SourceMessage);
        Assert.Equal("c1", draft.ClientMessageId);
    }

    [Theory]
    [InlineData("status", SessionCommand.Status, null)]
    [InlineData("What are you working on?", SessionCommand.Status, null)]
    [InlineData("cancel that", SessionCommand.Cancel, null)]
    [InlineData("Stop it.", SessionCommand.Cancel, null)]
    [InlineData("cancel 01a223ef", SessionCommand.Cancel, "01a223ef")]
    [InlineData("cancel mission 01a223ef2b3c7df58e67bed3e0441c46", SessionCommand.Cancel, "01a223ef2b3c7df58e67bed3e0441c46")]
    [InlineData("retry", SessionCommand.Retry, null)]
    [InlineData("retry the last one", SessionCommand.Retry, null)]
    [InlineData("rerun abcd1234", SessionCommand.Retry, "abcd1234")]
    public void Steering_messages_are_commands_never_missions(string message, SessionCommand command, string? target)
    {
        var intent = _classifier.Classify(message);

        Assert.Equal(IntentKind.Command, intent.Kind);
        Assert.Equal(command, intent.Command);
        Assert.Equal(target, intent.Target);
    }

    [Theory]
    [InlineData("check the status page on status.example.com")]
    [InlineData("research how to cancel a subscription on example.com")]
    public void Sentences_that_mention_commands_are_not_commands(string message) =>
        Assert.Equal(IntentKind.Actionable, _classifier.Classify(message).Kind);
}
