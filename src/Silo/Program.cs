using Missions.Hosting;
using Missions.Telemetry;

var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.UseMissionsClustering(builder.Configuration).AddMissions(builder.Configuration).AddDashboard());
builder.Services.AddMissionsTelemetry("missions-silo");
builder.Build().Run();
