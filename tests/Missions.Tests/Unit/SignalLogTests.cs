using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Missions.Signals;
using Missions.Tests.Support;

namespace Missions.Tests.Unit;

/// <summary>learning_signals.jsonl as a projection of the mission log: derived in its order, each signal once,
/// and what the file lacks at open (a stop before it was written, a deleted file) written from the mission log.</summary>
public sealed class SignalLogTests : IDisposable
{
    private readonly TempDirectory _data = new();

    private string SignalsPath => _data.File(LogFiles.LearningSignals);

    private IOptions<MissionsOptions> Options => Microsoft.Extensions.Options.Options.Create(new MissionsOptions { DataDirectory = _data.Path });

    private async Task<T> WithLogsAsync<T>(Func<MissionLog, Task<T>> use)
    {
        await using var missions = new MissionLog(Options, NullLogger<MissionLog>.Instance);
        await using var signals = new SignalLog(Options, missions.Reader, missions.Feed, NullLogger<SignalLog>.Instance);
        return await use(missions);
    }

    /// <summary>Mission <paramref name="id"/>: created, run once and failed (retried), then completed by attempt 2.</summary>
    private static async Task WriteMissionAsync(MissionLog log, string id, DateTime at)
    {
        MissionStatusUpdated Status(MissionStatus status, int attempt, string reason, double seconds) => new()
        {
            MissionId = id, Timestamp = at.AddSeconds(seconds), Status = status, Attempt = attempt, Reason = reason,
            ExecutionResult = status is MissionStatus.Completed || reason == "retry_scheduled"
                ? new ExecutionResult { Success = status == MissionStatus.Completed, ToolsUsed = ["http_fetch"] } : null,
        };
        MissionEvent created = new MissionCreated
        {
            MissionId = id, Timestamp = at, SessionId = "s-" + id,
            Objective = new Objective { Type = "research", Description = "d" }, Constraints = new MissionConstraints(), SourceMessage = "d",
        };
        Assert.True(await log.AppendAsync(id, [created, Status(MissionStatus.Queued, 1, "queued", 0)], 0));
        Assert.True(await log.AppendAsync(id, [Status(MissionStatus.Active, 1, "execution_started", 1)], 2));
        Assert.True(await log.AppendAsync(id, [Status(MissionStatus.Queued, 2, "retry_scheduled", 1.5)], 3));
        Assert.True(await log.AppendAsync(id, [Status(MissionStatus.Active, 2, "execution_started", 4)], 4));
        Assert.True(await log.AppendAsync(id, [Status(MissionStatus.Completed, 2, "execution_finished", 6.25)], 5));
    }

    private List<LearningSignal> ReadSignals() =>
        File.ReadAllLines(SignalsPath).Select(l => JsonSerializer.Deserialize(l, MissionsJson.Context.LearningSignal)!).ToList();

    private static (string, string, int?) Key(LearningSignal s) => (s.MissionId, s.SignalType, s.Attempt);

    [Fact]
    public async Task Each_mission_gives_a_proposed_signal_and_one_executed_signal_per_run_in_the_logs_order()
    {
        var at = new DateTime(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);
        await WithLogsAsync(async missions =>
        {
            await WriteMissionAsync(missions, "m1", at);
            await WriteMissionAsync(missions, "m2", at);
            return 0;
        });

        var signals = ReadSignals();
        Assert.Equal(
            [("m1", "mission_proposed", null), ("m1", "mission_executed", 1), ("m1", "mission_executed", 2),
             ("m2", "mission_proposed", null), ("m2", "mission_executed", 1), ("m2", "mission_executed", 2)],
            signals.Select(Key));
        var failed = signals[1];
        Assert.Equal((MissionStatus.Failed, false, 500L, "s-m1", "research"), (failed.Status!.Value, failed.Success!.Value, failed.DurationMs!.Value, failed.SessionId, failed.ObjectiveType));
        Assert.Equal(["http_fetch"], failed.ToolsUsed);
        var completed = signals[2];
        Assert.Equal((MissionStatus.Completed, true, 2250L, at.AddSeconds(6.25)), (completed.Status!.Value, completed.Success!.Value, completed.DurationMs!.Value, completed.Timestamp));
    }

    [Fact]
    public async Task Signals_missing_at_open_are_written_from_the_mission_log_once_each()
    {
        var at = new DateTime(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);
        await WithLogsAsync(async missions =>
        {
            for (var i = 0; i < 4; i++)
            {
                await WriteMissionAsync(missions, $"m{i}", at);
            }
            return 0;
        });
        var whole = File.ReadAllLines(SignalsPath);
        Assert.Equal(12, whole.Length);

        // A stop before the last signals were written, with a torn line at the end.
        File.WriteAllText(SignalsPath, string.Join('\n', whole[..7]) + "\n{\"signal_type\":\"missi");
        await WithLogsAsync(_ => Task.FromResult(0));
        Assert.Equal(whole, File.ReadAllLines(SignalsPath));

        // Two written out of the log's order (as grains wrote them before signals were a projection), the last two
        // missing: those are written, the one already there after the newest one's source is not written again.
        File.WriteAllLines(SignalsPath, [.. whole[..8], whole[9], whole[8]]);
        await WithLogsAsync(_ => Task.FromResult(0));
        var after = ReadSignals();
        Assert.Equal(12, after.Count);
        Assert.Equal(whole.Select(l => Key(JsonSerializer.Deserialize(l, MissionsJson.Context.LearningSignal)!)).Order(), after.Select(Key).Order());

        // A deleted file is rebuilt, and a mission written after the rebuild follows it.
        File.Delete(SignalsPath);
        await WithLogsAsync(async missions =>
        {
            await Eventually.WaitAsync(() => File.Exists(SignalsPath) && File.ReadAllLines(SignalsPath).Length == 12, TimeSpan.FromSeconds(5), "the rebuilt file");
            await WriteMissionAsync(missions, "m9", at);
            return 0;
        });
        var rebuilt = File.ReadAllLines(SignalsPath);
        Assert.Equal(whole, rebuilt[..12]);
        Assert.Equal([("m9", "mission_proposed", null), ("m9", "mission_executed", 1), ("m9", "mission_executed", 2)], ReadSignals()[12..].Select(Key));
    }

    public void Dispose() => _data.Dispose();
}
