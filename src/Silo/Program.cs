using Missions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.UseMissionsClustering(builder.Configuration).AddMissions(builder.Configuration));
builder.Build().Run();
