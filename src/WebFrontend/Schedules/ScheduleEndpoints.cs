using Microsoft.AspNetCore.Http.HttpResults;
using Missions.Log;
using Missions.Schedules;
using Missions.Web.Http;

namespace Missions.Web.Schedules;

/// <summary>
/// The schedules, read from the log as the whiteboard reads missions (the mirror, in cluster mode); pausing, resuming
/// and deleting go to the schedule's grain. A schedule's session id is shown only to that session (<c>?session_id=</c>).
/// </summary>
public static class ScheduleEndpoints
{
    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/schedules");
        group.MapGet("/", List).WithSummary("Schedules not deleted, newest first, with their next run and recent missions; ?session_id= shows which are yours.");
        group.MapGet("/{scheduleId}", Get).WithSummary("One schedule, deleted ones included.");
        group.MapPost("/{scheduleId}/pause", (string scheduleId, IGrainFactory grains) => RunAsync(scheduleId, grains, s => s.PauseAsync(MissionDecisions.Api)))
            .WithSummary("Pause a schedule: it does not fire until resumed. 409 when it is already paused or deleted.");
        group.MapPost("/{scheduleId}/resume", (string scheduleId, IGrainFactory grains) => RunAsync(scheduleId, grains, s => s.ResumeAsync(MissionDecisions.Api)))
            .WithSummary("Resume a paused schedule at its next occurrence. 409 when it is not paused.");
        group.MapDelete("/{scheduleId}", (string scheduleId, IGrainFactory grains) => RunAsync(scheduleId, grains, s => s.DeleteAsync(MissionDecisions.Api)))
            .WithSummary("Delete a schedule: it never fires again (its missions stay). 409 when it was already deleted.");
        return app;
    }

    private static Results<Ok<ScheduleList>, ProblemHttpResult> List(HttpRequest request, MissionLogReader reader)
    {
        var session = request.Query["session_id"].ToString();
        if (session.Length > 0 && !Ids.IsValid(session))
        {
            return Problems.InvalidId("session id", session);
        }
        var schedules = new List<ScheduleView>();
        foreach (var id in reader.Index.Schedules().Reverse())
        {
            if (ViewOf(id, reader, session) is { Status: not "deleted" } view)
            {
                schedules.Add(view);
            }
        }
        return TypedResults.Ok(new ScheduleList(schedules));
    }

    private static Results<Ok<ScheduleView>, ProblemHttpResult> Get(string scheduleId, HttpRequest request, MissionLogReader reader)
    {
        if (!Ids.IsValid(scheduleId) || !ScheduleIds.IsSchedule(scheduleId))
        {
            return Problems.BadRequest("Invalid schedule id", $"'{Problems.Shorten(scheduleId)}' is not a schedule id: schedule ids start with '{ScheduleIds.Prefix}'.");
        }
        return ViewOf(scheduleId, reader, request.Query["session_id"].ToString()) is { } view
            ? TypedResults.Ok(view)
            : Problems.NotFound("Unknown schedule", $"There is no schedule '{scheduleId}'.");
    }

    private static ScheduleView? ViewOf(string scheduleId, MissionLogReader reader, string session)
    {
        var state = ScheduleState.Fold(reader.ReadEvents(scheduleId));
        if (!state.Exists)
        {
            return null;
        }
        return ScheduleViews.From(scheduleId, state, missionId => MissionState.Fold(reader.ReadEvents(missionId)) is { Exists: true } m ? m.Status : null,
            withSession: session.Length > 0 && session == state.Definition!.SessionId);
    }

    private static async Task<IResult> RunAsync(string scheduleId, IGrainFactory grains, Func<IScheduleGrain, Task<ScheduleCommandResult>> command)
    {
        if (!Ids.IsValid(scheduleId) || !ScheduleIds.IsSchedule(scheduleId))
        {
            return Problems.BadRequest("Invalid schedule id", $"'{Problems.Shorten(scheduleId)}' is not a schedule id: schedule ids start with '{ScheduleIds.Prefix}'.");
        }
        var result = await command(grains.GetGrain<IScheduleGrain>(scheduleId));
        if (result.Accepted)
        {
            return TypedResults.Ok(result);
        }
        return result.Exists
            ? TypedResults.Problem(title: "Not possible now", detail: result.Message, statusCode: StatusCodes.Status409Conflict)
            : Problems.NotFound("Unknown schedule", result.Message);
    }
}

/// <summary>The body of <c>GET /api/schedules</c>.</summary>
public sealed record ScheduleList(IReadOnlyList<ScheduleView> Schedules);
