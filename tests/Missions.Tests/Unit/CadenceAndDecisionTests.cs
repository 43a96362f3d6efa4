using Missions.Chat;
using Missions.Schedules;

namespace Missions.Tests.Unit;

public sealed class CadenceAndDecisionTests
{
    private static readonly DateTime Created = new(2026, 12, 1, 8, 20, 30, DateTimeKind.Utc);

    [Theory]
    [InlineData("check https://status.example.org every hour", "every hour", 3_600L, null, "check https://status.example.org")]
    [InlineData("every 15 minutes look for 'outage' on status.example.org", "every 15 minutes", 900L, null, "look for 'outage' on status.example.org")]
    [InlineData("summarize docs.example.org daily", "every day", 86_400L, null, "summarize docs.example.org")]
    [InlineData("every day at 09:00 UTC summarize the changelog on docs.example.org", "every day at 09:00 UTC", null, "0 9 * * *", "summarize the changelog on docs.example.org")]
    [InlineData("check example.org every monday at 8am", "every monday at 08:00 UTC", null, "0 8 * * 1", "check example.org")]
    [InlineData("check example.org every sunday at 7:30 pm", "every sunday at 19:30 UTC", null, "30 19 * * 0", "check example.org")]
    [InlineData("research example.org cron */15 9-17 * * 1-5", "cron */15 9-17 * * 1-5 (UTC)", null, "*/15 9-17 * * 1-5", "research example.org")]
    [InlineData("check example.org every 2 weeks", "every 2 weeks", 1_209_600L, null, "check example.org")]
    public void A_cadence_is_read_from_words_or_cron_and_the_work_is_what_is_left(string message, string text, long? every, string? cron, string rest)
    {
        Assert.True(Cadence.TryFind(message, out var cadence, out var error, out var work));

        Assert.Null(error);
        Assert.Equal(new Cadence(text, every, cron), cadence);
        Assert.Equal(rest, work);
    }

    [Theory]
    [InlineData("check https://example.org every 999999 weeks", "too far apart")]
    [InlineData("check https://example.org every 53 weeks", "too far apart")]
    [InlineData("check https://example.org every 367 days", "too far apart")]
    [InlineData("check https://example.org every 999999 days", "too far apart")]
    [InlineData("check example.org cron 0 0 30 2 *", "never comes round")]
    [InlineData("check example.org cron 0 0 29 2 *", "too far apart")]
    public void A_cadence_beyond_a_year_or_that_never_fires_is_an_error_before_anything_is_written(string message, string why)
    {
        Assert.True(Cadence.TryFind(message, out var cadence, out var error, out _));

        Assert.Null(cadence);
        Assert.Contains(why, error);
    }

    [Theory]
    [InlineData("check example.org every 52 weeks")]
    [InlineData("check example.org every 366 days")]
    [InlineData("check example.org cron 0 0 1 1 *")]
    public void A_cadence_of_up_to_a_year_is_kept(string message)
    {
        Assert.True(Cadence.TryFind(message, out var cadence, out var error, out _));

        Assert.Null(error);
        Assert.NotNull(cadence);
    }

    [Fact]
    public void A_schedule_kept_before_cadences_were_bounded_never_fires_and_never_throws()
    {
        var state = new ScheduleState();
        state.Apply(new ScheduleCreated
        {
            MissionId = "sch-0123456789abcdef", Timestamp = Created, SessionId = "s-1", Cadence = "every 999999 weeks", EverySeconds = 604_800L * 999_999,
            Objective = new Objective { Type = "check", Description = "check https://example.org" },
            Constraints = new MissionConstraints { AllowedDomains = ["example.org"], MaxPages = 1, MaxDurationSeconds = 60 }, SourceMessage = "m",
        });

        Assert.Null(ScheduleViews.NextDue(state));
    }

    [Theory]
    [InlineData("check example.org every day at 25:00")]
    [InlineData("check example.org cron 61 * * * *")]
    [InlineData("check example.org every 0 minutes")]
    public void A_cadence_that_cannot_be_used_says_why(string message)
    {
        Assert.True(Cadence.TryFind(message, out var cadence, out var error, out _));
        Assert.Null(cadence);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void No_cadence_in_an_ordinary_request() =>
        Assert.False(Cadence.TryFind("research Orleans reminders on learn.microsoft.com, up to 5 pages", out _, out _, out _));

    [Fact]
    public void Occurrences_follow_the_period_from_the_creation_or_the_cron_expression_in_utc()
    {
        var hourly = new Cadence("every hour", 3_600, null);
        Assert.Equal(Created.AddHours(1), hourly.NextAfter(Created, Created));
        Assert.Equal(Created.AddHours(3), hourly.NextAfter(Created.AddHours(2).AddMinutes(1), Created));
        Assert.Equal(Created.AddHours(3), hourly.NextAfter(Created.AddHours(2), Created)); // strictly after
        // Down for three periods: the latest occurrence reached is fired, once.
        Assert.Equal(Created.AddHours(4), hourly.LatestUpTo(Created.AddHours(1), Created.AddHours(4).AddMinutes(5), Created));

        var daily = new Cadence("every day at 09:00 UTC", null, "0 9 * * *");
        Assert.Equal(new DateTime(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc), daily.NextAfter(Created, Created));
        Assert.Equal(new DateTime(2026, 12, 2, 9, 0, 0, DateTimeKind.Utc), daily.NextAfter(new DateTime(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc), Created));
        Assert.Equal(TimeSpan.FromDays(1), daily.ShortestGap(Created));
        Assert.Equal(TimeSpan.FromMinutes(15), new Cadence("c", null, "*/15 9-17 * * 1-5").ShortestGap(Created));
    }

    [Theory]
    [InlineData("go", SessionCommand.Approve, null)]
    [InlineData("Yes please!", SessionCommand.Approve, null)]
    [InlineData("approve the proposal", SessionCommand.Approve, null)]
    [InlineData("approve 3f9a01c2", SessionCommand.Approve, "3f9a01c2")]
    [InlineData("no", SessionCommand.Reject, null)]
    [InlineData("reject mission 3f9a01c2", SessionCommand.Reject, "3f9a01c2")]
    [InlineData("make it 10 pages", SessionCommand.Revise, null)]
    [InlineData("actually, make it urgent", SessionCommand.Revise, null)]
    [InlineData("also on docs.example.org", SessionCommand.Revise, null)]
    [InlineData("schedules", SessionCommand.Schedules, null)]
    [InlineData("pause that", SessionCommand.Pause, null)]
    [InlineData("resume sch-0123abcd", SessionCommand.Resume, "sch-0123abcd")]
    [InlineData("stop the schedule", SessionCommand.DeleteSchedule, null)]
    [InlineData("delete schedule sch-0123abcd", SessionCommand.DeleteSchedule, "sch-0123abcd")]
    [InlineData("stop sch-0123abcd", SessionCommand.Cancel, "sch-0123abcd")]
    public void Decisions_and_schedule_steering_are_commands(string message, SessionCommand command, string? target)
    {
        var intent = new IntentClassifier().Classify(message);

        Assert.Equal(IntentKind.Command, intent.Kind);
        Assert.Equal(command, intent.Command);
        Assert.Equal(target, intent.Target);
    }

    [Theory]
    [InlineData("propose research on Orleans reminders on learn.microsoft.com", "research", "research on Orleans reminders on learn.microsoft.com")]
    [InlineData("draft a mission to summarize https://example.org/changelog", "summarize", "summarize https://example.org/changelog")]
    [InlineData("plan: example.org pricing pages", "research", "example.org pricing pages")]
    public void A_proposal_is_work_that_asks_first(string message, string type, string work)
    {
        var intent = new IntentClassifier().Classify(message);

        Assert.Equal(IntentKind.Actionable, intent.Kind);
        Assert.True(intent.Propose);
        Assert.Equal(type, intent.ObjectiveType);
        Assert.Equal(work, IntentClassifier.WithoutProposal(message));
    }

    [Fact]
    public void A_change_names_only_what_it_changes()
    {
        var message = "make it 10 pages within 2 minutes, urgent, also on docs.example.org";
        var revision = MissionDraftBuilder.RevisionIn(message, new IntentClassifier().Classify(message));

        Assert.Equal(10, revision.MaxPages);
        Assert.Equal(120, revision.MaxDurationSeconds);
        Assert.Equal(MissionPriority.High, revision.Priority);
        Assert.Equal(["docs.example.org"], revision.AddDomains);
        var pagesOnly = MissionDraftBuilder.RevisionIn("make it 3 pages", new IntentClassifier().Classify("make it 3 pages"));
        Assert.Equal((3, (int?)null, (MissionPriority?)null), (pagesOnly.MaxPages, pagesOnly.MaxDurationSeconds, pagesOnly.Priority));
    }

    [Fact]
    public void What_changed_is_told_by_sentence_and_source()
    {
        MissionState Run(string answer, params string[] sources) => new()
        {
            Status = MissionStatus.Completed,
            ExecutionResult = new ExecutionResult { Success = true, FinalAnswer = answer, Sources = [.. sources.Select(u => new PageSource { Url = u })] },
        };
        var first = RunComparison.Compare("sch-1", "m1", Run("All systems normal. Uptime 99.9%.", "https://a"), null);
        Assert.True(first.Changed);

        var same = RunComparison.Compare("sch-1", "m2", Run("all systems  normal.\nUptime 99.9%.", "https://a"), first);
        Assert.False(same.Changed);
        Assert.Equal("", same.Summary);

        var changed = RunComparison.Compare("sch-1", "m3", Run("All systems normal. Outage in eu-west.", "https://a", "https://b"), first);
        Assert.True(changed.Changed);
        Assert.Contains("1 new sentence, 1 gone", changed.Summary);
        Assert.Contains("“Outage in eu-west.”", changed.Summary);
        Assert.Contains("New sources: https://b", changed.Summary);

        var failed = RunComparison.Compare("sch-1", "m4", new MissionState { Status = MissionStatus.Failed, Error = "HTTP 503" }, first);
        Assert.False(failed.Changed);
        Assert.Contains("HTTP 503", failed.Summary);
    }
}
