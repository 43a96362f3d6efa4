using Microsoft.AspNetCore.Http;

namespace Missions.Web.Hosting;

/// <summary>The ports of <c>Missions:ManagementUrls</c>; empty when the operations surfaces share the main URLs.</summary>
public sealed record ManagementPorts(IReadOnlySet<int> Ports)
{
    /// <summary>Where the page links to the Orleans dashboard: on the main URLs, or nowhere when it has URLs of its own.</summary>
    public string? DashboardPath => Ports.Count == 0 ? "/dashboard/" : null;

    /// <summary>Whether the request came in on a management URL.</summary>
    public bool Serves(HttpContext context) => Ports.Contains(context.Connection.LocalPort);
}

/// <summary>
/// The operations surfaces (<c>/dashboard</c>, <c>/metrics</c>) on URLs of their own (<c>Missions:ManagementUrls</c>,
/// e.g. <c>http://127.0.0.1:9090</c>): when set, the server also listens there, serves those surfaces only there,
/// and serves nothing else there but the health checks. Unset, they are on the main URLs, as before.
/// </summary>
public static class ManagementSurfaces
{
    public const string Setting = "Missions:ManagementUrls";

    private static readonly string[] OperationsPaths = ["/dashboard", "/metrics"];
    private static readonly string[] HealthPaths = ["/healthz", "/readyz"];

    /// <summary>Adds the management URLs to the ones the server listens on; returns their ports (empty when unset).</summary>
    public static IReadOnlySet<int> Listen(WebApplicationBuilder builder)
    {
        var management = Split(builder.Configuration[Setting]);
        if (management.Length == 0)
        {
            return new HashSet<int>();
        }
        var ports = management.Select(url => BindingAddress.Parse(url).Port).ToHashSet();
        if (ports.Contains(0))
        {
            throw new InvalidOperationException($"{Setting}: give each management URL a fixed port (it tells management requests apart by port).");
        }
        var main = Split(builder.Configuration[WebHostDefaults.ServerUrlsKey]);
        builder.WebHost.UseUrls([.. main.Length > 0 ? main : ["http://localhost:5000"], .. management]);
        return ports;
    }

    public static IApplicationBuilder UseManagementSurfaces(this IApplicationBuilder app, ManagementPorts management)
    {
        if (management.Ports.Count == 0)
        {
            return app;
        }
        return app.Use((context, next) =>
        {
            var path = context.Request.Path;
            var onManagement = management.Serves(context);
            var operations = OperationsPaths.Any(p => path.StartsWithSegments(p));
            if (operations != onManagement && !(onManagement && HealthPaths.Any(p => path.StartsWithSegments(p))))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return next(context);
        });
    }

    /// <summary>Whether every URL binds a loopback name or address (then the default allowed hosts are the local names).</summary>
    /// <param name="defaultIsLoopback">What no URL at all means: Kestrel's default is localhost:5000 — unless ports are
    /// given (<c>ASPNETCORE_HTTP_PORTS</c>, as container images set), which bind every address.</param>
    public static bool AllLoopback(IConfiguration configuration, bool defaultIsLoopback = false)
    {
        var urls = Split(configuration[WebHostDefaults.ServerUrlsKey]).Concat(Split(configuration[Setting])).ToList();
        if (urls.Count == 0)
        {
            return defaultIsLoopback && string.IsNullOrWhiteSpace(configuration["HTTP_PORTS"]) && string.IsNullOrWhiteSpace(configuration["HTTPS_PORTS"]);
        }
        return urls.All(url =>
        {
            var host = BindingAddress.Parse(url).Host.Trim('[', ']');
            return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));
        });
    }

    private static string[] Split(string? urls) =>
        (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
