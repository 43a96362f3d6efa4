using Missions.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMissions();

var app = builder.Build();
app.MapMissions();
app.Run();
