using Microsoft.Extensions.Options;
using Missions.Hosting;
using Missions.Log;
using Missions.Web.Hosting;
using Missions.Web.People;

// Settings and the page come from beside the program, wherever it is started from; ./data stays relative to
// the directory it is started in.
var command = DataDirectoryCommands.Handles(args);
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = command ? [.. args.Skip(2)] : args, ContentRootPath = AppContext.BaseDirectory });
if (command)
{
    return await DataDirectoryCommands.RunAsync(args, builder.Configuration); // backup / restore of the data directory
}
builder.WebHost.UseStaticWebAssets();
if (await ClusterPreflight.CheckAsync(builder.Configuration) is { } problem)
{
    Console.Error.WriteLine(problem);
    return 4;
}
try
{
    builder.AddMissions();
    var app = builder.Build();
    app.MapMissions();
    app.Run();
    return Environment.ExitCode; // 0, unless a part that stopped the application said otherwise (the store's mirror)
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
catch (Exception ex) when (ex is SignInRequiredException)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
catch (Exception ex) when ((ex as OptionsValidationException ?? ex.InnerException as OptionsValidationException) is { } invalid)
{
    // A setting that cannot work: its key and why.
    Console.Error.WriteLine($"Missions cannot start: {invalid.Message}");
    return 2;
}
