using Microsoft.Net.Http.Headers;

namespace Missions.Web.Http;

/// <summary>
/// What every request and response goes through, for a service reachable by a team, behind a proxy or on a LAN:
/// state-changing requests must come from this origin (CSRF: <c>Sec-Fetch-Site</c>, else <c>Origin</c>, must not
/// name another site; 403) and carry JSON when they have a body (415) — a form on another site can post neither; every response carries
/// the security headers (a Content-Security-Policy with no inline script, no framing, no MIME sniffing, no referrer).
/// </summary>
public static class RequestSafety
{
    /// <summary>The page's policy: its own files only, nothing inline, never framed.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <param name="signInOrigin">The OpenID Connect provider's origin, when one is configured: signing out is a form
    /// post that goes on to it, and <c>form-action</c> covers where a form's redirects lead.</param>
    public static IApplicationBuilder UseRequestSafety(this IApplicationBuilder app, string? signInOrigin = null)
    {
        var policy = signInOrigin is null ? ContentSecurityPolicy : ContentSecurityPolicy.Replace("form-action 'self'", $"form-action 'self' {signInOrigin}");
        return app.Use(async (context, next) =>
    {
        var request = context.Request;
        var headers = context.Response.Headers;
        // The Orleans dashboard and the API reference are third-party pages with inline code: they may not be framed, the rest is theirs.
        headers.ContentSecurityPolicy = request.Path.StartsWithSegments("/dashboard") || request.Path.StartsWithSegments(Hosting.ApiDocument.ReferencePath)
            ? "frame-ancestors 'none'"
            : policy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";

        if (ChangesState(request))
        {
            if (CrossSiteBecause(request) is { } why)
            {
                await Problems.Forbidden("Cross-site request refused",
                    $"{why} Changes are accepted only from this service's own page, or from a client that sends no browser origin.").ExecuteAsync(context);
                return;
            }
            if (HasBody(request) && !request.HasJsonContentType() && !(request.Path.StartsWithSegments("/logout") && request.HasFormContentType))
            {
                await Problems.UnsupportedMediaType(request.ContentType).ExecuteAsync(context);
                return;
            }
        }
        await next(context);
    });
    }

    /// <summary>POST, PUT, PATCH and DELETE change something; the rest only read.</summary>
    public static bool ChangesState(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method);

    /// <summary>A body is sent (a length above 0, or chunked): only then must it be JSON — a cancel or a delete needs none.</summary>
    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    /// <summary>Why the request comes from another site, or null: the browser's <c>Sec-Fetch-Site</c> when it sends one, else <c>Origin</c> against <c>Host</c>.</summary>
    private static string? CrossSiteBecause(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0)
        {
            return fetchSite is "same-origin" or "none" ? null : $"The browser says this request comes from another site (Sec-Fetch-Site: {Problems.Shorten(fetchSite)}).";
        }
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return null; // not from a browser page (curl, a script): CSRF needs a browser
        }
        return Uri.TryCreate(origin, UriKind.Absolute, out var from) && string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"It comes from the page of another origin ({Problems.Shorten(origin, 100)}).";
    }
}
