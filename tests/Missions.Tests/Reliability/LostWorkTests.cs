using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Missions.Tests.Cluster;
using Missions.Tests.Support;

namespace Missions.Tests.Reliability;

/// <summary>What a crash leaves behind: runs cut off again and again, and outcomes that never reached their chat.</summary>
public sealed class LostWorkTests
{
    [Fact]
    public async Task A_mission_cut_off_as_often_as_it_may_run_ends_failed_instead_of_running_at_every_start()
    {
        using var data = new TempDirectory();
        var id = Ids.NewMissionId();
        // As the log stands after three starts that each crashed mid-run (MaxAttempts is 3).
        await using (var log = new MissionLog(Options.Create(new MissionsOptions { DataDirectory = data.Path }), NullLogger<MissionLog>.Instance))
        {
            var now = DateTime.UtcNow;
            List<MissionEvent> events =
            [
                Created(id, "s-poison", now),
                Status(id, MissionStatus.Queued, 1, MissionReasons.Queued),
                Status(id, MissionStatus.Active, 1, MissionReasons.ExecutionStarted),
                Status(id, MissionStatus.Queued, 2, MissionReasons.Interrupted),
                Status(id, MissionStatus.Active, 2, MissionReasons.ExecutionStarted),
                Status(id, MissionStatus.Queued, 3, MissionReasons.Interrupted),
                Status(id, MissionStatus.Active, 3, MissionReasons.ExecutionStarted),
            ];
            Assert.True(await log.AppendAsync(id, events, 0));
        }

        await using var host = await MissionClusterHost.StartAsync(data.Path);
        var view = await host.WaitForTerminalAsync(id);

        Assert.Equal(MissionStatus.Failed, view.Status);
        Assert.StartsWith("Interrupted 3 times: the page may crash or hang the reader", view.Error);
        Assert.Contains(view.Timeline, e => e is MissionStatusUpdated { Reason: MissionReasons.InterruptedTooOften, Attempt: 3 });
        Assert.Equal(0, host.Executor.RunsOf(id));

        // A person may still try once more: that starts a new count.
        Assert.True((await host.Mission(id).RetryAsync(Actor.Api(Owners.Local))).Accepted);
        var retried = await host.WaitForTerminalAsync(id);
        Assert.Equal(MissionStatus.Completed, retried.Status);
        Assert.Equal(4, retried.Attempt);
    }

    [Fact]
    public async Task An_outcome_the_log_has_and_the_conversation_lacks_is_posted_once_when_the_session_comes_back()
    {
        using var data = new TempDirectory();
        var options = Options.Create(new MissionsOptions { DataDirectory = data.Path });
        const string session = "s-lost-outcome";
        var ended = Ids.NewMissionId();
        // The process died after the mission's end was written and before its notice reached the chat.
        await using (var log = new MissionLog(options, NullLogger<MissionLog>.Instance))
        await using (var chat = new ChatLog(options, NullLogger<ChatLog>.Instance))
        {
            var now = DateTime.UtcNow;
            Assert.True(await log.AppendAsync(ended,
            [
                Created(ended, session, now),
                Status(ended, MissionStatus.Queued, 1, MissionReasons.Queued),
                Status(ended, MissionStatus.Active, 1, MissionReasons.ExecutionStarted),
                Status(ended, MissionStatus.Completed, 1, MissionReasons.ExecutionFinished) with
                {
                    CompletedAt = now, ExecutionResult = new ExecutionResult { Success = true, FinalAnswer = "Reminders live in the reminder table." },
                },
            ], 0));
            Assert.True(await chat.AppendAsync(session,
            [
                Message(session, 1, ChatMessage.UserRole, "research ok on example.org", null),
                Message(session, 2, ChatMessage.AssistantRole, "On it", ended),
            ], 0));
        }

        for (var start = 1; start <= 2; start++)
        {
            await using var host = await MissionClusterHost.StartAsync(data.Path);
            var grain = host.Client.GetGrain<IChatSessionGrain>(session);
            // A message after the activation: its lines are written after anything the activation posted.
            await grain.SendAsync(new ChatRequest { Message = "hello" });
            var page = await grain.GetMessagesAsync(null, null, 100);
            var outcome = Assert.Single(page.Messages, m => m.ReplyType == ChatResponse.MissionUpdate);
            Assert.Equal(ended, outcome.MissionId);
            Assert.Contains("Reminders live in the reminder table.", outcome.Text);
            Assert.Equal(2 + 1 + 2 * start, page.Messages.Count); // the outcome once, then each start's hello and reply
        }
    }

    private static MissionCreated Created(string id, string session, DateTime at) => new()
    {
        MissionId = id, Timestamp = at, SessionId = session,
        Objective = new Objective { Type = "research", Description = "ok" },
        Constraints = new MissionConstraints { AllowedDomains = ["example.org"], MaxPages = 1, MaxDurationSeconds = 30 },
        SourceMessage = "ok",
    };

    private static MissionStatusUpdated Status(string id, MissionStatus status, int attempt, string reason) =>
        new() { MissionId = id, Timestamp = DateTime.UtcNow, Status = status, Attempt = attempt, Reason = reason };

    private static ChatMessage Message(string session, int seq, string role, string text, string? missionId) => new()
    {
        SessionId = session, Seq = seq, Timestamp = DateTime.UtcNow, Role = role, Text = text, MissionId = missionId,
        ReplyType = role == ChatMessage.AssistantRole ? ChatResponse.MissionStarted : null,
        Status = role == ChatMessage.AssistantRole ? MissionStatus.Queued : null,
    };
}
