using Missions.Research;
using Missions.Hosting;
using Missions.Log;
using Missions.Telemetry;

var builder = Host.CreateApplicationBuilder(args);
if (await ClusterPreflight.CheckAsync(builder.Configuration) is { } problem)
{
    Console.Error.WriteLine(problem);
    return 4;
}
try
{
    // No live log trace on the dashboard: log lines name sessions.
    builder.UseOrleans(silo => silo.UseMissionsClustering(builder.Configuration).AddMissions(builder.Configuration).AddResearchAgent(builder.Configuration).AddDashboard(dashboard => dashboard.HideTrace = true));
    builder.Services.AddMissionsTelemetry("missions-silo");
    builder.Build().Run();
    return 0;
}
catch (Exception ex) when (DataDirectoryInUseException.In(ex) is { } inUse)
{
    Console.Error.WriteLine(inUse.Message);
    return 3;
}
catch (Missions.PostgreSql.StoreUnavailableException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 4;
}
catch (Exception ex) when ((ex as Microsoft.Extensions.Options.OptionsValidationException ?? ex.InnerException as Microsoft.Extensions.Options.OptionsValidationException) is { } invalid)
{
    // A setting that cannot work: its key and why.
    Console.Error.WriteLine($"Missions cannot start: {invalid.Message}");
    return 2;
}
