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
        group.MapGet("/", List).WithSummary("Your missions (an operator's: everyone's; ?owner=me: their own), newest first; ?status= filters, "
            + "?q= finds words of the objective or answer (each word begins a word of the mission) or the start of an id, ?from= and ?to= (dates or "
            + "times, ISO 8601; a date alone is a whole UTC day) bound when it was made, ?limit= caps (default 50, max 500), ?before=<mission id> pages on.");
        group.MapGet("/{missionId}", Get).WithSummary("One of your missions rebuilt from the log, with its timeline.");
        return app;
    }

    private static Results<Ok<MissionView>, ProblemHttpResult> Get(string missionId, HttpContext context, Access access, MissionLogReader reader)
    {
        if (!Ids.IsValid(missionId))
        {
            return Problems.InvalidId("mission id", missionId);
        }
        var person = context.Person();
        if (access.ArchivedMission(person, missionId) is { } archived)
        {
            return TypedResults.Ok(SessionPrivacy.WithoutSession(MissionView.FromEvents(archived) with { Archived = true }));
        }
        if (!access.MaySee(person, missionId) || reader.ReadView(missionId) is not { } view)
        {
            return Problems.NotFound("Unknown mission", $"You have no mission '{missionId}'.");
        }
        return TypedResults.Ok(SessionPrivacy.WithoutSession(view));
    }

    private static Results<Ok<WhiteboardPage>, ProblemHttpResult> List(HttpRequest request, MissionLogReader reader, MissionSearch search)
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
        var q = request.Query["q"].ToString();
        if (q.Length > MissionSearch.MaxQueryLength)
        {
            return Problems.BadRequest("Search too long", $"A search has at most {MissionSearch.MaxQueryLength} characters; this one has {q.Length}.");
        }
        if (!TryReadTime(request, "from", endOfDay: false, out var from, out problem) || !TryReadTime(request, "to", endOfDay: true, out var to, out problem))
        {
            return problem!;
        }
        if (from > to)
        {
            return Problems.BadRequest("Dates the wrong way round", $"'from' ({from:O}) is after 'to' ({to:O}).");
        }
        MissionSearch.Match? match = null;
        SearchProgress? searched = null;
        if (q.Trim().Length > 0 || from is not null || to is not null)
        {
            match = search.Find(q, from, to);
            var (indexed, complete) = search.Progress;
            searched = new SearchProgress(match.Words, complete, indexed, reader.Index.Count);
        }
        var counts = reader.Index.CountByStatus(owner).ToDictionary(c => c.Key.ToWireName(), c => c.Value);
        return TypedResults.Ok(new WhiteboardPage(reader.ReadNewest(status, limit ?? DefaultLimit, before.Length > 0 ? before : null, owner, match), counts, counts.Values.Sum())
        {
            Search = searched,
        });
    }

    /// <summary>
    /// Reads a time bound: an ISO 8601 date and time (with its offset, or UTC), or a date alone — the start of that UTC
    /// day for <c>from</c>, its end for <c>to</c>.
    /// </summary>
    private static bool TryReadTime(HttpRequest request, string name, bool endOfDay, out DateTime? value, out ProblemHttpResult? problem)
    {
        value = null;
        problem = null;
        var text = request.Query[name].ToString().Trim();
        if (text.Length == 0)
        {
            return true;
        }
        if (text.Length <= 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day))
        {
            value = endOfDay ? day.ToDateTime(TimeOnly.MaxValue, DateTimeKind.Utc) : day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            return true;
        }
        if (text.Length <= 40 && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AllowWhiteSpaces, out var at) && text.Contains('T'))
        {
            value = at.UtcDateTime;
            return true;
        }
        problem = Problems.BadRequest("Not a date", $"'{(text.Length > 40 ? text[..40] + "…" : text)}' in '{name}' is not a date (2026-12-07) or a time (2026-12-07T09:30:00Z).");
        return false;
    }
}

/// <summary>The body of <c>GET /api/whiteboard</c>. It says which statuses are final and which a person may retry,
/// so the page does not keep lists of its own that could drift from the grain's.</summary>
public sealed record WhiteboardPage(IReadOnlyList<MissionSummary> Missions, IReadOnlyDictionary<string, int> Counts, int Total)
{
    /// <summary>With a search: the words looked for, and whether every mission could be searched yet (the index is built in the background after a start).</summary>
    public SearchProgress? Search { get; init; }

    private static readonly string[] Terminal = [.. Enum.GetValues<MissionStatus>().Where(s => s.IsTerminal()).Select(s => s.ToWireName())];
    private static readonly string[] Retryable = [.. Enum.GetValues<MissionStatus>().Where(s => s.IsRetryable()).Select(s => s.ToWireName())];

    public IReadOnlyList<string> TerminalStatuses => Terminal;

    public IReadOnlyList<string> RetryableStatuses => Retryable;
}

/// <summary>What a search looked for, and how much of the log it could see: <c>Complete</c> is false while the search index is still reading older missions after a start.</summary>
public sealed record SearchProgress(IReadOnlyList<string> Words, bool Complete, int Indexed, int Of);
