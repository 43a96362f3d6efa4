using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Missions.Web.Hosting;

/// <summary>
/// Endpoints whose mapping is too slow for the start-up path, mapped off it. Routing asks its data sources for
/// their endpoints when it builds its matcher, on the first request; <see cref="MapDeferred"/> starts the mapping
/// on the thread pool at once, so it runs beside the silo's start and is done (or finishing) by then.
/// The Orleans dashboard is one: mapping it gzips every asset it embeds, about 0.4 s of CPU on this machine.
/// </summary>
internal sealed partial class DeferredEndpoints : EndpointDataSource, IEndpointRouteBuilder
{
    private readonly IEndpointRouteBuilder _app;
    private readonly Lazy<IReadOnlyList<Endpoint>> _endpoints;

    private DeferredEndpoints(IEndpointRouteBuilder app, string name, Action<IEndpointRouteBuilder> map)
    {
        _app = app;
        _endpoints = new(() =>
        {
            try
            {
                map(this);
                return DataSources.SelectMany(source => source.Endpoints).ToList();
            }
            catch (Exception ex)
            {
                // Without its endpoints, the rest of the app still serves: say so, once, and map nothing.
                LogMappingFailed(app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger<DeferredEndpoints>(), ex, name);
                return [];
            }
        });
    }

    /// <summary>Maps <paramref name="map"/>'s endpoints (<paramref name="name"/>, for the log) into <paramref name="app"/>, in the background.</summary>
    public static void MapDeferred(IEndpointRouteBuilder app, string name, Action<IEndpointRouteBuilder> map)
    {
        var deferred = new DeferredEndpoints(app, name, map);
        app.DataSources.Add(deferred);
        _ = Task.Run(() => deferred._endpoints.Value);
    }

    public override IReadOnlyList<Endpoint> Endpoints => _endpoints.Value;

    public override IChangeToken GetChangeToken() => NullChangeToken.Singleton;

    public IServiceProvider ServiceProvider => _app.ServiceProvider;

    public ICollection<EndpointDataSource> DataSources { get; } = new List<EndpointDataSource>();

    public IApplicationBuilder CreateApplicationBuilder() => _app.CreateApplicationBuilder();

    [LoggerMessage(Level = LogLevel.Error, Message = "Mapping the {Endpoints} endpoints failed; they are not served")]
    private static partial void LogMappingFailed(ILogger logger, Exception ex, string endpoints);
}
