using Missions.Web.People;
using Missions.Queue;

namespace Missions.Web.Queue;

public static class QueueEndpoints
{
    public static IEndpointRouteBuilder MapQueue(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/queue", async (IGrainFactory grains) =>
                TypedResults.Ok(await grains.Queue().GetStatusAsync()))
            .RequirePerson()
            .WithSummary("Queue size, missions in flight and the concurrency limit; in a cluster, its partitions and how many do not answer.");
        return app;
    }
}
