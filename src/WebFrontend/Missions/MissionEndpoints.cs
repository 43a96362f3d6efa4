using Missions.Web.Http;

namespace Missions.Web.Missions;

public static class MissionEndpoints
{
    public static IEndpointRouteBuilder MapMissionCommands(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/missions/{missionId}");
        group.MapPost("/cancel", (string missionId, IGrainFactory grains) => RunAsync(missionId, grains, m => m.CancelAsync()))
            .WithSummary("Cancel a queued or running mission; a running one stops as soon as its work does.");
        group.MapPost("/retry", (string missionId, IGrainFactory grains) => RunAsync(missionId, grains, m => m.RetryAsync()))
            .WithSummary("Run a failed, timed-out or cancelled mission again as its next attempt.");
        group.MapPost("/approve", (string missionId, IGrainFactory grains) => RunAsync(missionId, grains, m => m.ApproveAsync(MissionDecisions.Api)))
            .WithSummary("Approve a proposed mission: it is queued and runs. 409 when it is not waiting for approval (approved, rejected, expired).");
        group.MapPost("/reject", (string missionId, IGrainFactory grains) => RunAsync(missionId, grains, m => m.RejectAsync(MissionDecisions.Api)))
            .WithSummary("Reject a proposed mission: it ends cancelled (reason rejected) and its chat is told. 409 when it is not waiting for approval.");
        return app;
    }

    private static async Task<IResult> RunAsync(string missionId, IGrainFactory grains, Func<IMissionGrain, Task<MissionCommandResult>> command)
    {
        if (!Ids.IsValid(missionId))
        {
            return Problems.InvalidId("mission id", missionId);
        }
        var result = await command(grains.Mission(missionId));
        if (result.Accepted)
        {
            return TypedResults.Accepted($"/api/whiteboard/{missionId}", result);
        }
        return result.Status is null
            ? Problems.NotFound("Unknown mission", result.Message)
            : TypedResults.Problem(title: "Not possible now", detail: result.Message, statusCode: StatusCodes.Status409Conflict);
    }
}
