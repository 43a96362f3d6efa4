using Missions.Log;
using Missions.Queue;

namespace Missions.Web.Health;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Text("ok")).WithSummary("Liveness: the process answers.");
        app.MapGet("/readyz", ReadyAsync).WithSummary("Readiness: the log index is loaded, the queue answers and the logs can be written.");
        return app;
    }

    private static async Task<IResult> ReadyAsync(MissionLogReader reader, IGrainFactory grains, IServiceProvider services)
    {
        var problems = new List<string>();
        var checks = new Dictionary<string, object?> { ["missions_indexed"] = reader.Index.Count };
        try
        {
            var queue = await grains.Queue().GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(5));
            checks["queue"] = queue;
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            problems.Add($"The execution queue does not answer: {ex.Message}");
        }
        // Only where this process writes the logs (the embedded default; a web client has no writer).
        if (services.GetService<LogHealth>() is { } logs && logs.Problem() is { } problem)
        {
            problems.Add(problem);
        }
        checks["problems"] = problems;
        return problems.Count == 0
            ? TypedResults.Ok(new ReadinessReport("ready", checks))
            : TypedResults.Json(new ReadinessReport("not_ready", checks), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

/// <summary>The body of <c>/readyz</c>.</summary>
public sealed record ReadinessReport(string Status, IReadOnlyDictionary<string, object?> Checks);
