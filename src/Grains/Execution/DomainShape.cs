namespace Missions.Execution;

/// <summary>
/// Whether a dotted word names a site ("learn.microsoft.com", "docs.b.io") or a thing on it ("textwrap.wrap",
/// "json.dump", "os.path", "Node.js"): a site's last label is a country code (two letters that are not a file type)
/// or one of the common generic top-level domains. Without this a question about <c>sqlite3.connect</c> lost the words
/// it is about: they were taken for a domain and dropped.
/// </summary>
public static class DomainShape
{
    /// <summary>Two- and three-letter endings that are file types or abbreviations, not places to read.</summary>
    private static readonly HashSet<string> FileTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "js", "ts", "py", "cs", "md", "rs", "go", "sh", "rb", "pl", "h", "c", "cpp", "txt", "json", "xml", "yml", "yaml",
        "csv", "pdf", "png", "jpg", "gif", "exe", "dll", "zip", "gz", "tar", "html", "htm", "php", "asp", "aspx", "jsx", "tsx",
        "vs", "etc", "doc", "docx", "ppt", "xls", "xlsx", "log", "ini", "cfg", "conf", "toml", "lock",
    };

    /// <summary>Generic top-level domains common enough to be meant (and the reserved names tests and intranets use).</summary>
    private static readonly HashSet<string> Generic = new(StringComparer.OrdinalIgnoreCase)
    {
        "com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "name", "pro", "io", "dev", "app", "ai", "cloud",
        "tech", "site", "online", "xyz", "page", "blog", "wiki", "news", "shop", "store", "design", "tools", "software",
        "systems", "network", "digital", "academy", "museum", "aero", "jobs", "travel", "mobi", "asia", "eu", "arpa",
        "example", "test", "localhost", "local", "internal", "invalid", "onion",
    };

    public static bool IsDomain(string word)
    {
        var dot = word.LastIndexOf('.');
        if (dot <= 0 || dot == word.Length - 1)
        {
            return false;
        }
        var tld = word[(dot + 1)..];
        return tld.All(char.IsAsciiLetter) && !FileTypes.Contains(tld) && (tld.Length == 2 || Generic.Contains(tld));
    }
}
