using Microsoft.AspNetCore.Http.HttpResults;
using Missions.Log;
using Missions.Web.Http;
using Missions.Web.People;

namespace Missions.Web.Whiteboard;

public static class WhiteboardEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static IEndpointRouteBuilder MapWhiteboard(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/whiteboard").RequirePerson();
        group.MapGet("/", List).WithSummary("Your missions (an operator's: everyone's; ?owner=me: their own), newest first; ?status= filters, ?limit= caps (default 50, max 500), ?before=<mission id> pages on.");
        group.MapGet("/{missionId}", Get).WithSummary("One of your missions rebuilt from the log, with its timeline.");
        return app;
    }

    private static Results<Ok<MissionView>, ProblemHttpResult> Get(string missionId, HttpContext context, Access access, MissionLogReader reader)
    {
        if (!Ids.IsValid(missionId))
        {
            return Problems.InvalidId("mission id", missionId);
        }
        if (!access.MaySee(context.Person(), missionId) || reader.ReadView(missionId) is not { } view)
        {
            return Problems.NotFound("Unknown mission", $"You have no mission '{missionId}'.");
        }
        return TypedResults.Ok(SessionPrivacy.WithoutSession(view));
    }

    private static Results<Ok<WhiteboardPage>, ProblemHttpResult> List(HttpRequest request, MissionLogReader reader)
    {
        var person = request.HttpContext.Person();
        var owner = person.IsOperator && request.Query["owner"].ToString() != "me" ? null : person.Id;
        MissionStatus? status = null;
        var statusText = request.Query["status"].ToString();
        if (statusText.Length > 0)
        {
            if (!MissionStatusExtensions.TryParseWireName(statusText, out var parsed))
            {
                return Problems.BadRequest("Unknown status",
                    $"'{statusText}' is not a status; use one of: {string.Join(", ", Enum.GetValues<MissionStatus>().Select(s => s.ToWireName()))}.");
            }
            status = parsed;
        }
        if (!QueryNumbers.TryRead(request, "limit", 1, MaxLimit, out var limit, out var problem))
        {
            return problem!;
        }
        var before = request.Query["before"].ToString();
        if (before.Length > 0 && !Ids.IsValid(before))
        {
            return Problems.InvalidId("mission id (before)", before);
        }
        var counts = reader.Index.CountByStatus(owner).ToDictionary(c => c.Key.ToWireName(), c => c.Value);
        return TypedResults.Ok(new WhiteboardPage(reader.ReadNewest(status, limit ?? DefaultLimit, before.Length > 0 ? before : null, owner), counts, counts.Values.Sum()));
    }
}

/// <summary>The body of <c>GET /api/whiteboard</c>. It says which statuses are final and which a person may retry,
/// so the page does not keep lists of its own that could drift from the grain's.</summary>
public sealed record WhiteboardPage(IReadOnlyList<MissionSummary> Missions, IReadOnlyDictionary<string, int> Counts, int Total)
{
    private static readonly string[] Terminal = [.. Enum.GetValues<MissionStatus>().Where(s => s.IsTerminal()).Select(s => s.ToWireName())];
    private static readonly string[] Retryable = [.. Enum.GetValues<MissionStatus>().Where(s => s.IsRetryable()).Select(s => s.ToWireName())];

    public IReadOnlyList<string> TerminalStatuses => Terminal;

    public IReadOnlyList<string> RetryableStatuses => Retryable;
}
