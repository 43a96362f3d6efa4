using Missions.Hosting;
using Missions.Log;
using Missions.Telemetry;

var builder = Host.CreateApplicationBuilder(args);
if (await ClusterPreflight.CheckAsync(builder.Configuration) is { } problem)
{
    Console.Error.WriteLine(problem);
    return 4;
}
// No live log trace on the dashboard: log lines name sessions, and a session id is a capability.
builder.UseOrleans(silo => silo.UseMissionsClustering(builder.Configuration).AddMissions(builder.Configuration).AddDashboard(dashboard => dashboard.HideTrace = true));
builder.Services.AddMissionsTelemetry("missions-silo");
try
{
    builder.Build().Run();
    return 0;
}
catch (Exception ex) when (DataDirectoryInUseException.In(ex) is { } inUse)
{
    Console.Error.WriteLine(inUse.Message);
    return 3;
}
catch (Missions.Log.PostgreSql.StoreUnavailableException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 4;
}
