using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Missions.Tests.Cluster;
using Missions.Tests.Support;

namespace Missions.Tests.Reliability;

/// <summary>Lines a newer build wrote (an event type this build does not know) are kept, counted and shown, and stop nothing.</summary>
public sealed class NewerBuildTests
{
    private static string NewerLine(string missionId, int seq) =>
        $$"""{"mission_id":"{{missionId}}","seq":{{seq}},"timestamp":"2026-12-07T10:00:00Z","event_type":"mission_escalated","to":"someone","level":2}""";

    [Fact]
    public async Task A_newer_builds_line_in_a_missions_stream_is_kept_verbatim_counted_in_its_version_and_listed_as_unknown()
    {
        using var data = new TempDirectory();
        var options = Options.Create(new MissionsOptions { DataDirectory = data.Path });
        var id = Ids.NewMissionId();
        await using (var log = new MissionLog(options, NullLogger<MissionLog>.Instance))
        {
            Assert.True(await log.AppendAsync(id,
            [
                new MissionCreated
                {
                    MissionId = id, Timestamp = DateTime.UtcNow, SessionId = "s-newer",
                    Objective = new Objective { Type = "research", Description = "ok" },
                    Constraints = new MissionConstraints { AllowedDomains = ["example.org"], MaxPages = 1, MaxDurationSeconds = 30 },
                    SourceMessage = "ok",
                },
                new MissionStatusUpdated { MissionId = id, Timestamp = DateTime.UtcNow, Status = MissionStatus.Queued, Attempt = 1, Reason = MissionReasons.Queued },
            ], 0));
        }
        var path = Path.Combine(data.Path, LogFiles.Missions);
        File.AppendAllText(path, NewerLine(id, 3) + "\n");

        // The queue finds it unfinished, the grain loads past the line it does not know, and its run ends after it.
        await using var host = await MissionClusterHost.StartAsync(data.Path);
        var view = await host.WaitForTerminalAsync(id);

        Assert.Equal(MissionStatus.Completed, view.Status);
        Assert.Equal(Enumerable.Range(1, view.Timeline.Count), view.Timeline.Select(e => e.Seq));
        var unknown = Assert.IsType<UnknownEvent>(view.Timeline[2]);
        Assert.Equal("mission_escalated", unknown.OriginalEventType);
        Assert.Contains(NewerLine(id, 3), File.ReadAllLines(path)); // kept verbatim

        // The whiteboard's reader and its JSON show it as unknown, with its own type.
        var json = System.Text.Json.JsonSerializer.Serialize<MissionEvent>(unknown, MissionsJson.Options);
        Assert.Contains("\"event_type\":\"unknown\"", json);
        Assert.Contains("\"original_event_type\":\"mission_escalated\"", json);
    }

    [Fact]
    public void A_line_of_an_unknown_type_parses_as_unknown_and_a_malformed_one_still_does_not()
    {
        var id = Ids.NewMissionId();
        var parsed = Assert.IsType<UnknownEvent>(MissionLogReader.ParseLine(System.Text.Encoding.UTF8.GetBytes(NewerLine(id, 7))));
        Assert.Equal((id, 7, "mission_escalated"), (parsed.MissionId, parsed.Seq, parsed.OriginalEventType));
        Assert.Equal(1, MissionState.Fold([parsed]).Version);

        Assert.Null(MissionLogReader.ParseOrNull("""{"mission_id":"x","seq":1,"timestamp":"2026-12-07T10:00:00Z"}"""u8)); // no type
        Assert.Null(MissionLogReader.ParseOrNull("""{"event_type":"mission_escalated","seq":1}"""u8)); // no stream
        Assert.Null(MissionLogReader.ParseOrNull("""{"mission_id":"x","event_type":"mission_escalated"""u8)); // cut off
    }
}
