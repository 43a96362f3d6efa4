namespace Missions.Tests.Unit;

public sealed class MissionStateTests
{
    private static readonly DateTime T0 = new(2026, 11, 28, 12, 0, 0, DateTimeKind.Utc);

    private static MissionCreated Created(string id = "m1") => new()
    {
        MissionId = id,
        Seq = 1,
        Timestamp = T0,
        SessionId = "s1",
        Objective = new Objective { Type = "research", Description = "research x on example.org" },
        Constraints = new MissionConstraints { AllowedDomains = ["example.org"], MaxPages = 3, MaxDurationSeconds = 30 },
        SourceMessage = "research x on example.org",
    };

    private static MissionStatusUpdated Update(MissionStatus status, int attempt, string reason, int seconds) => new()
    {
        MissionId = "m1",
        Timestamp = T0.AddSeconds(seconds),
        Status = status,
        Attempt = attempt,
        Reason = reason,
        CompletedAt = status.IsTerminal() ? T0.AddSeconds(seconds) : null,
        ExecutionResult = status.IsTerminal() ? new ExecutionResult { Success = status == MissionStatus.Completed, FinalAnswer = "answer" } : null,
        Error = status == MissionStatus.Failed ? "boom" : null,
    };

    [Fact]
    public void Fold_of_a_completed_mission_has_its_times_result_and_version()
    {
        var state = MissionState.Fold(
        [
            Created(),
            Update(MissionStatus.Queued, 1, "queued", 0),
            Update(MissionStatus.Active, 1, "execution_started", 1),
            Update(MissionStatus.Completed, 1, "execution_finished", 5),
        ]);

        Assert.Equal(MissionStatus.Completed, state.Status);
        Assert.Equal("s1", state.SessionId);
        Assert.Equal(["example.org"], state.Constraints!.AllowedDomains);
        Assert.Equal(T0, state.CreatedAt);
        Assert.Equal(T0.AddSeconds(1), state.StartTime);
        Assert.Equal(T0.AddSeconds(5), state.EndTime);
        Assert.Equal("answer", state.ExecutionResult!.FinalAnswer);
        Assert.Equal(4, state.Version);
        Assert.Equal(1, state.RunsStarted);
    }

    [Fact]
    public void Interrupted_run_counts_as_an_attempt_and_the_next_run_is_attempt_two()
    {
        var state = MissionState.Fold(
        [
            Created(),
            Update(MissionStatus.Queued, 1, "queued", 0),
            Update(MissionStatus.Active, 1, "execution_started", 1),
            Update(MissionStatus.Queued, 2, "interrupted", 10),
        ]);

        Assert.Equal(MissionStatus.Queued, state.Status);
        Assert.Equal(1, state.RunsStarted);
        Assert.Equal(2, state.Attempt);
        Assert.Null(state.EndTime);
    }

    [Fact]
    public void Failed_mission_keeps_its_error()
    {
        var state = MissionState.Fold([Created(), Update(MissionStatus.Active, 1, "execution_started", 1), Update(MissionStatus.Failed, 1, "execution_failed", 2)]);

        Assert.Equal(MissionStatus.Failed, state.Status);
        Assert.Equal("boom", state.Error);
        Assert.True(state.Status.IsTerminal());
    }

    [Fact]
    public void Events_round_trip_through_the_log_format_with_snake_case_names()
    {
        var line = System.Text.Json.JsonSerializer.Serialize<MissionEvent>(Update(MissionStatus.TimedOut, 2, "timed_out", 3), MissionsJson.Context.MissionEvent);

        Assert.StartsWith("{\"event_type\":\"mission_status_update\",\"mission_id\":\"m1\",\"seq\":0,\"timestamp\":\"2026-11-28T12:00:03Z\"", line);
        Assert.Contains("\"status\":\"timed_out\"", line);
        Assert.Contains("\"execution_result\":{\"final_answer\":\"answer\",\"success\":false", line);
        var back = Assert.IsType<MissionStatusUpdated>(MissionLogReader.ParseLine(System.Text.Encoding.UTF8.GetBytes(line)));
        Assert.Equal(MissionStatus.TimedOut, back.Status);
        Assert.Equal(DateTimeKind.Utc, back.Timestamp.Kind);
    }

    [Theory]
    [InlineData("abc", true)]
    [InlineData("s-1_A", true)]
    [InlineData("", false)]
    [InlineData("../etc", false)]
    [InlineData("a b", false)]
    [InlineData("é", false)]
    public void Ids_have_a_safe_character_set(string id, bool valid) => Assert.Equal(valid, Ids.IsValid(id));

    [Fact]
    public void Id_longer_than_64_characters_is_invalid() => Assert.False(Ids.IsValid(new string('a', 65)));

    [Fact]
    public void Mission_id_for_a_client_message_is_stable_and_valid()
    {
        byte[] key = [1, 2, 3], other = [4, 5, 6];
        var id = Ids.MissionIdFor(key, "s1", "msg-1");

        Assert.Equal(id, Ids.MissionIdFor(key, "s1", "msg-1"));
        Assert.NotEqual(id, Ids.MissionIdFor(key, "s2", "msg-1"));
        Assert.NotEqual(id, Ids.MissionIdFor(other, "s1", "msg-1")); // keyed: nobody without the server's key can work it out
        Assert.True(Ids.IsValid(id));
        Assert.StartsWith("c", id);
        Assert.StartsWith("f", ScheduleIds.RunMissionId("sch-0123456789abcdef", 1)); // a schedule's runs are never a client's ids
    }

    [Fact]
    public void A_session_id_the_server_made_proves_whose_it_is()
    {
        byte[] key = [1, 2, 3];
        var id = Ids.NewSessionId(key, "p-alice");

        Assert.True(Ids.IsValid(id));
        Assert.True(Ids.IsSessionOf(key, id, "p-alice"));
        Assert.False(Ids.IsSessionOf(key, id, "p-bob"));
        Assert.False(Ids.IsSessionOf([9, 9, 9], id, "p-alice"));
        Assert.False(Ids.IsSessionOf(key, id[..^1] + (id[^1] == '0' ? '1' : '0'), "p-alice"));
        Assert.False(Ids.IsSessionOf(key, "s-1", "p-alice"));
        Assert.NotEqual(id, Ids.NewSessionId(key, "p-alice"));
    }

    [Fact]
    public void The_server_key_in_a_data_directory_is_made_once_kept_private_and_read_back()
    {
        using var data = new Missions.Tests.Support.TempDirectory();
        var first = Missions.Log.ServerKey.InDataDirectory(data.Path).Key.ToArray();
        var again = Missions.Log.ServerKey.InDataDirectory(data.Path).Key.ToArray();

        Assert.Equal(32, first.Length);
        Assert.Equal(first, again);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data.Path, Missions.Log.ServerKey.FileName)));
        }
    }
}
