namespace Missions.Execution;

/// <summary>Which URLs a mission may fetch: http(s), no credentials, on an allowed domain or a subdomain of one.</summary>
public static class DomainRules
{
    public static bool IsAllowed(Uri url, IReadOnlyList<string> allowedDomains)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.UserInfo.Length > 0)
        {
            return false;
        }
        var host = url.IdnHost.TrimEnd('.').ToLowerInvariant();
        foreach (var domain in allowedDomains)
        {
            var d = domain.Trim().TrimEnd('.').ToLowerInvariant();
            if (d.StartsWith("www.", StringComparison.Ordinal))
            {
                d = d[4..];
            }
            if (host == d || host.EndsWith("." + d, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
