using Microsoft.Extensions.Options;
using Missions.Log;
using Missions.Web.Chat;
using Missions.Web.Http;
using Missions.Web.People;

namespace Missions.Web.Missions;

public static class MissionEndpoints
{
    public static IEndpointRouteBuilder MapMissionCommands(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/missions/{missionId}").RequirePerson();
        group.MapPost("/cancel", (string missionId, [AsParameters] Command command) => command.RunAsync(missionId, (m, by) => m.CancelAsync(by)))
            .WithSummary("Cancel a queued or running mission of yours; a running one stops as soon as its work does.");
        group.MapPost("/retry", (string missionId, [AsParameters] Command command) => command.RunAsync(missionId, (m, by) => m.RetryAsync(by), addsWork: true))
            .WithSummary("Run a failed, timed-out or cancelled mission of yours again as its next attempt.");
        // An approval adds nothing waiting: the proposal was counted while it waited.
        group.MapPost("/approve", (string missionId, [AsParameters] Command command) => command.RunAsync(missionId, (m, by) => m.ApproveAsync(by)))
            .WithSummary("Approve a proposed mission of yours: it is queued and runs. 409 when it is not waiting for approval (approved, rejected, expired).");
        group.MapPost("/reject", (string missionId, [AsParameters] Command command) => command.RunAsync(missionId, (m, by) => m.RejectAsync(by)))
            .WithSummary("Reject a proposed mission of yours: it ends cancelled (reason rejected) and its chat is told. 409 when it is not waiting for approval.");
        return app;
    }

    /// <summary>What a command needs: who asks, whether it is theirs, the bounds on waiting work, the grain.</summary>
    private sealed record Command(HttpContext Context, Access Access, IGrainFactory Grains, MissionLogReader Missions,
        IOptions<IntakeOptions> Intake, IOptions<PersonLimits> Limits)
    {
        public async Task<IResult> RunAsync(string missionId, Func<IMissionGrain, Actor, Task<MissionCommandResult>> command, bool addsWork = false)
        {
            if (!Ids.IsValid(missionId))
            {
                return Problems.InvalidId("mission id", missionId);
            }
            var person = Context.Person();
            if (!Access.MaySee(person, missionId))
            {
                // Moved to the archive (Missions:Retention): it is read, never changed — its grain would find no mission.
                if (Access.ArchivedMission(person, missionId) is not null)
                {
                    return Problems.Conflict("Archived", $"Mission {missionId} ended longer ago than this server keeps missions live and was moved to the archive: "
                        + "it can be read, not changed. Ask for the work again to run it anew.");
                }
                return Problems.NotFound("Unknown mission", $"You have no mission '{missionId}'.");
            }
            if (addsWork && Chat.Intake.Refusal(Context, person, Missions, Intake.Value, Limits.Value) is { } refused)
            {
                return refused;
            }
            var result = await command(Grains.Mission(missionId), Actor.Api(person.Id));
            if (result.Accepted)
            {
                return TypedResults.Accepted($"/api/whiteboard/{missionId}", result);
            }
            return result.Status is null
                ? Problems.NotFound("Unknown mission", result.Message)
                : Problems.Conflict("Not possible now", result.Message);
        }
    }
}
