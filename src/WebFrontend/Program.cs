using Missions.Log;
using Missions.Web.Hosting;

// Settings and the page come from beside the program, wherever it is started from; ./data stays relative to
// the directory it is started in.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.UseStaticWebAssets();
builder.AddMissions();

var app = builder.Build();
app.MapMissions();
try
{
    app.Run();
    return 0;
}
catch (Exception ex) when (DataDirectoryInUseException.In(ex) is { } inUse)
{
    Console.Error.WriteLine(inUse.Message);
    return 3;
}
