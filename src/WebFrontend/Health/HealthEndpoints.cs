using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Missions.Web.Health;

/// <summary>Liveness and readiness on ASP.NET Core's health checks: the log and the queue are the checks.</summary>
public static class HealthEndpoints
{
    public const string Ready = "ready";

    /// <summary>
    /// A check's data key for what only operators are told (where a server is, a driver's words): written on the
    /// management URLs (<c>Missions:ManagementUrls</c>), left out on the public ones — and so everywhere when there are none.
    /// </summary>
    public const string OperatorDetail = "operator_detail";

    /// <summary>The report's keys are written as they are (snake_case already); its data values are plain numbers and text.</summary>
    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web);

    public static IServiceCollection AddMissionsHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<LogsHealthCheck>("logs", tags: [Ready])
            .AddCheck<QueueHealthCheck>("queue", tags: [Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        // Liveness runs no check: the process answers.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).WithSummary("Liveness: the process answers.");
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready), ResponseWriter = WriteReportAsync })
            .WithSummary("Readiness: the log index is loaded, the logs can be written and the queue answers; 503 with the problems otherwise.");
        return app;
    }

    /// <summary>The report as JSON: <c>{"status": "healthy", "checks": {"logs": {"status", "description", "data"}, …}}</c>.</summary>
    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var operators = context.RequestServices.GetRequiredService<Hosting.ManagementPorts>().Serves(context);
        var body = new Dictionary<string, object?>
        {
            ["status"] = report.Status.ToString().ToLowerInvariant(),
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => (object?)new Dictionary<string, object?>
            {
                ["status"] = e.Value.Status.ToString().ToLowerInvariant(),
                ["description"] = e.Value.Description,
                ["data"] = operators ? e.Value.Data : e.Value.Data.Where(d => d.Key != OperatorDetail).ToDictionary(),
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, ReportJson), context.RequestAborted);
    }
}
