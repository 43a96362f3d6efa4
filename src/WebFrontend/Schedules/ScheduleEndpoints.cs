using Microsoft.AspNetCore.Http.HttpResults;
using Missions.Log;
using Missions.Schedules;
using Missions.Web.Http;
using Missions.Web.People;

namespace Missions.Web.Schedules;

/// <summary>
/// The schedules, read from the log as the whiteboard reads missions (the mirror, in cluster mode); pausing, resuming
/// and deleting go to the schedule's grain. A person sees and steers their own (an operator all); a schedule's session
/// id is shown only to that conversation (<c>?session_id=</c>).
/// </summary>
public static partial class ScheduleEndpoints
{
    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/schedules").RequirePerson();
        group.MapGet("/", List).WithSummary("Your schedules not deleted (an operator's: everyone's), newest first, with their next run and recent missions; ?session_id= shows which are that conversation's.");
        group.MapGet("/{scheduleId}", Get).WithSummary("One of your schedules, deleted ones included.");
        group.MapPost("/{scheduleId}/pause", (string scheduleId, HttpContext context, Access access, IGrainFactory grains) =>
                RunAsync(scheduleId, context, access, grains, (s, by) => s.PauseAsync(by)))
            .WithSummary("Pause a schedule: it does not fire until resumed. 409 when it is already paused or deleted.");
        group.MapPost("/{scheduleId}/resume", (string scheduleId, HttpContext context, Access access, IGrainFactory grains) =>
                RunAsync(scheduleId, context, access, grains, (s, by) => s.ResumeAsync(by)))
            .WithSummary("Resume a paused schedule at its next occurrence. 409 when it is not paused.");
        group.MapDelete("/{scheduleId}", (string scheduleId, HttpContext context, Access access, IGrainFactory grains) =>
                RunAsync(scheduleId, context, access, grains, (s, by) => s.DeleteAsync(by)))
            .WithSummary("Delete a schedule: it never fires again (its missions stay). 409 when it was already deleted.");
        return app;
    }

    private static Results<Ok<ScheduleList>, ProblemHttpResult> List(HttpContext context, Access access, MissionLogReader reader)
    {
        var person = context.Person();
        var session = context.Request.Query["session_id"].ToString();
        if (session.Length > 0 && !Ids.IsValid(session))
        {
            return Problems.InvalidId("session id", session);
        }
        var shownSession = session.Length > 0 && access.MayRead(person, session) ? session : "";
        var schedules = new List<ScheduleView>();
        foreach (var id in reader.Index.Schedules(person.IsOperator ? null : person.Id).Reverse())
        {
            if (ViewOf(id, reader, shownSession) is { Status: not "deleted" } view)
            {
                schedules.Add(view);
            }
        }
        return TypedResults.Ok(new ScheduleList(schedules));
    }

    private static Results<Ok<ScheduleView>, ProblemHttpResult> Get(string scheduleId, HttpContext context, Access access, MissionLogReader reader)
    {
        if (!Ids.IsValid(scheduleId) || !ScheduleIds.IsSchedule(scheduleId))
        {
            return InvalidId(scheduleId);
        }
        var person = context.Person();
        var session = context.Request.Query["session_id"].ToString();
        return access.MaySee(person, scheduleId) && ViewOf(scheduleId, reader, Ids.IsValid(session) && access.MayRead(person, session) ? session : "") is { } view
            ? TypedResults.Ok(view)
            : Unknown(scheduleId);
    }

    private static ScheduleView? ViewOf(string scheduleId, MissionLogReader reader, string session)
    {
        if (reader.ReadSchedule(scheduleId) is not { Exists: true } state)
        {
            return null;
        }
        return ScheduleViews.From(scheduleId, state, missionId => reader.ReadState(missionId) is { Exists: true } m ? m.Status : null,
            withSession: session.Length > 0 && session == state.Definition!.SessionId);
    }

    private static async Task<IResult> RunAsync(string scheduleId, HttpContext context, Access access, IGrainFactory grains,
        Func<IScheduleGrain, Actor, Task<ScheduleCommandResult>> command)
    {
        if (!Ids.IsValid(scheduleId) || !ScheduleIds.IsSchedule(scheduleId))
        {
            return InvalidId(scheduleId);
        }
        var person = context.Person();
        if (!access.MaySee(person, scheduleId))
        {
            return Unknown(scheduleId);
        }
        var result = await command(grains.GetGrain<IScheduleGrain>(scheduleId), Actor.Api(person.Id));
        if (result.Accepted)
        {
            return TypedResults.Ok(result);
        }
        return result.Exists
            ? TypedResults.Problem(title: "Not possible now", detail: result.Message, statusCode: StatusCodes.Status409Conflict)
            : Unknown(scheduleId);
    }

    /// <summary>A schedule that cannot be read is left out of lists, never a failed page, and said once in the log.</summary>
    public static void ReportUnreadable(MissionLogReader reader, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Missions.Schedules");
        reader.OnUnreadable = (scheduleId, ex) => LogUnreadable(logger, ex, scheduleId);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Schedule {ScheduleId} cannot be read from the log; it is left out of lists")]
    private static partial void LogUnreadable(ILogger logger, Exception ex, string scheduleId);

    private static ProblemHttpResult InvalidId(string scheduleId) =>
        Problems.BadRequest("Invalid schedule id", $"'{Problems.Shorten(scheduleId)}' is not a schedule id: schedule ids start with '{ScheduleIds.Prefix}'.");

    private static ProblemHttpResult Unknown(string scheduleId) => Problems.NotFound("Unknown schedule", $"You have no schedule '{scheduleId}'.");
}

/// <summary>The body of <c>GET /api/schedules</c>.</summary>
public sealed record ScheduleList(IReadOnlyList<ScheduleView> Schedules);
