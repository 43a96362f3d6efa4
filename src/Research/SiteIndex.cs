using System.Text.Json;
using AngleSharp.Dom;

namespace Missions.Research;

/// <summary>
/// A site's own search data — what its search box reads — used as a person uses the search box: a map from the names
/// and titles the site defines to the pages, and the places on them, that define them. Read here: Sphinx's
/// <c>searchindex.js</c> (its objects, index entries and section titles), javadoc's <c>*-search-index.js</c> (types and
/// members), mdBook's <c>searchindex.js</c> (every section's title). A page says where its site's data is (a script,
/// a search page, the root path its scripts use); the data is hostile input like any page: capped in size and entries,
/// and an unknown or malformed file gives nothing.
/// </summary>
public static class SiteIndex
{
    public const string ToolName = "site_index";

    /// <summary>A search data file larger than this is not read (javadoc's members for the JDK are 4.9 MB).</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    /// <summary>Entries kept from one site's data.</summary>
    public const int MaxEntries = 300_000;

    /// <summary>One thing the site's index names, where it is defined, and the words it is found by.</summary>
    public sealed record Entry(string Name, string Url, string Words)
    {
        /// <summary>The definition of what it names (a function, a type, a member), not a title or an index term that mentions it.</summary>
        public bool Defines { get; init; }
    }

    /// <summary>
    /// Where a page says its site's search data is: each location is the files to read together (javadoc's members
    /// need its packages' modules). Found from the page's scripts before they are removed.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> LocationsIn(IDocument document, Uri page)
    {
        var found = new List<IReadOnlyList<string>>();
        void Add(params Uri?[] files)
        {
            if (files.All(f => f is { Scheme: "http" or "https" }) && found.Count < 3 && found.All(l => l[0] != files[0]!.AbsoluteUri))
            {
                found.Add([.. files.Select(f => f!.AbsoluteUri)]);
            }
        }
        foreach (var script in document.QuerySelectorAll("script[src]").Take(100))
        {
            if (Resolve(page, script.GetAttribute("src")) is { } src)
            {
                var name = src.Segments[^1].ToLowerInvariant();
                if (name is "searchindex.js" or "searchindex.json")
                {
                    Add(src);
                }
                else if (name.EndsWith("-search-index.js", StringComparison.Ordinal))
                {
                    Add(Javadoc(new Uri(src, ".")));
                }
            }
        }
        foreach (var link in document.QuerySelectorAll("link[rel~=search][href]").Take(10))
        {
            // Sphinx: the search page, beside which its data is (an OpenSearch description is another thing).
            if (link.GetAttribute("type") is null or "text/html" && Resolve(page, link.GetAttribute("href")) is { } search
                && search.AbsolutePath.EndsWith(".html", StringComparison.OrdinalIgnoreCase))
            {
                Add(new Uri(search, "searchindex.js"));
            }
        }
        foreach (var script in document.QuerySelectorAll("script:not([src])").Take(100))
        {
            var text = script.TextContent;
            text = text.Length > 4096 ? text[..4096] : text;
            // The root path a generator's scripts load their data from: javadoc's pathtoroot, mdBook's path_to_root.
            if (Assigned(text, "pathtoroot") is { } javadocRoot && Resolve(page, javadocRoot.Length == 0 ? "./" : javadocRoot) is { } root)
            {
                Add(Javadoc(root));
            }
            if (Assigned(text, "path_to_root") is { } bookRoot && Resolve(page, bookRoot.Length == 0 ? "./" : bookRoot) is { } book)
            {
                Add(new Uri(book, "searchindex.js"));
            }
        }
        return found;

        static Uri?[] Javadoc(Uri root) =>
            [new Uri(root, "member-search-index.js"), new Uri(root, "package-search-index.js"), new Uri(root, "type-search-index.js")];
    }

    /// <summary>The string a script assigns to a variable (<c>var pathtoroot = "../../";</c>), read by hand.</summary>
    private static string? Assigned(string script, string variable)
    {
        var at = script.IndexOf(variable, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var i = at + variable.Length;
        while (i < script.Length && script[i] is ' ' or '\t')
        {
            i++;
        }
        if (i >= script.Length || script[i] != '=')
        {
            return null;
        }
        i++;
        while (i < script.Length && script[i] is ' ' or '\t')
        {
            i++;
        }
        if (i >= script.Length || script[i] is not ('"' or '\''))
        {
            return null;
        }
        var end = script.IndexOf(script[i], i + 1);
        return end < 0 || end - i > 300 ? null : script[(i + 1)..end];
    }

    private static Uri? Resolve(Uri page, string? href) =>
        href is { Length: > 0 and <= PageLimits.MaxUrlChars } && Uri.TryCreate(page, href, out var url) && url.Scheme is "http" or "https" ? url : null;

    /// <summary>The entries of one location's files (each file's URL and text, as read); a file of no known form gives none.</summary>
    public static IReadOnlyList<Entry> Parse(IReadOnlyList<(Uri Url, string Body)> files, CancellationToken cancellationToken = default)
    {
        var entries = new List<Entry>();
        var modules = new Dictionary<string, string>(StringComparer.Ordinal);
        // javadoc's packages first: a member's page is under its package's module.
        foreach (var (url, body) in files.OrderBy(f => f.Body.StartsWith("packageSearchIndex", StringComparison.Ordinal) ? 0 : 1))
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (body.StartsWith("Search.setIndex(", StringComparison.Ordinal))
                {
                    ReadSphinx(url, Inside(body, '(', ')'), entries);
                }
                else if (body.StartsWith("Object.assign(window.search,", StringComparison.Ordinal) || body.StartsWith("{\"doc_urls\"", StringComparison.Ordinal))
                {
                    ReadBook(url, body[0] == '{' ? body : Inside(body[body.IndexOf(',')..], '{', '}', inclusive: true), entries);
                }
                else if (body.StartsWith("packageSearchIndex", StringComparison.Ordinal))
                {
                    foreach (var item in Items(Inside(body, '[', ']', inclusive: true)))
                    {
                        if (Text(item, "m") is { } module && Text(item, "l") is { } package)
                        {
                            modules[package] = module;
                        }
                    }
                }
                else if (body.StartsWith("typeSearchIndex", StringComparison.Ordinal) || body.StartsWith("memberSearchIndex", StringComparison.Ordinal))
                {
                    ReadJavadoc(url, Inside(body, '[', ']', inclusive: true), modules, entries);
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or UriFormatException or KeyNotFoundException or IndexOutOfRangeException)
            {
                // Not the form it looked like: what was read of it stays, the rest is left.
            }
        }
        return entries;
    }

    private static string Inside(string text, char open, char close, bool inclusive = false)
    {
        var start = text.IndexOf(open);
        var end = text.LastIndexOf(close);
        if (start < 0 || end <= start)
        {
            throw new InvalidOperationException("no body");
        }
        return inclusive ? text[start..(end + 1)] : text[(start + 1)..end];
    }

    /// <summary>Deep enough for a search trie (mdBook's index nests a level per letter of a word); the reader does not recurse.</summary>
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 256 };

    /// <summary>Sphinx: its objects (functions, classes, options …), index entries and section titles, each at its anchor.</summary>
    private static void ReadSphinx(Uri url, string json, List<Entry> entries)
    {
        using var document = JsonDocument.Parse(json, Options);
        var root = document.RootElement;
        var docs = root.GetProperty("docnames").EnumerateArray().Select(d => d.GetString() ?? "").ToList();
        string? Page(JsonElement doc, string? anchor) =>
            doc.ValueKind == JsonValueKind.Number && doc.TryGetInt32(out var i) && i >= 0 && i < docs.Count
                ? new Uri(url, Uri.EscapeDataString(docs[i]).Replace("%2F", "/") + ".html" + (string.IsNullOrEmpty(anchor) ? "" : "#" + anchor)).AbsoluteUri
                : null;
        if (root.TryGetProperty("objects", out var objects) && objects.ValueKind == JsonValueKind.Object)
        {
            var kinds = root.TryGetProperty("objnames", out var names) && names.ValueKind == JsonValueKind.Object
                ? names.EnumerateObject().ToDictionary(k => k.Name, k => k.Value.ValueKind == JsonValueKind.Array && k.Value.GetArrayLength() > 1 ? k.Value[1].GetString() ?? "" : "")
                : [];
            foreach (var prefix in objects.EnumerateObject())
            {
                // [page, kind, priority, anchor, name]: an empty anchor is the full name, "-" the kind and the full name.
                foreach (var item in prefix.Value.ValueKind == JsonValueKind.Array ? prefix.Value.EnumerateArray() : Enumerable.Empty<JsonElement>())
                {
                    if (entries.Count >= MaxEntries || item.ValueKind != JsonValueKind.Array || item.GetArrayLength() < 5)
                    {
                        continue;
                    }
                    var name = item[4].GetString() ?? "";
                    var full = prefix.Name.Length > 0 ? prefix.Name + "." + name : name;
                    var anchor = item[3].GetString() switch
                    {
                        "" or null => full,
                        "-" => kinds.GetValueOrDefault(item[1].ToString(), "") + "-" + full,
                        var given => given,
                    };
                    if (Page(item[0], anchor) is { } page)
                    {
                        entries.Add(new Entry(full, page, full) { Defines = true });
                    }
                }
            }
        }
        foreach (var table in new[] { "indexentries", "alltitles" })
        {
            if (!root.TryGetProperty(table, out var named) || named.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            foreach (var term in named.EnumerateObject())
            {
                // Each: [[page, anchor], …] — a title's anchor is null for the page's own.
                foreach (var place in term.Value.ValueKind == JsonValueKind.Array ? term.Value.EnumerateArray().Take(3) : [])
                {
                    if (entries.Count < MaxEntries && place.ValueKind == JsonValueKind.Array && place.GetArrayLength() >= 2
                        && Page(place[0], place[1].ValueKind == JsonValueKind.String ? place[1].GetString() : null) is { } page)
                    {
                        entries.Add(new Entry(term.Name, page, term.Name));
                    }
                }
            }
        }
    }

    /// <summary>mdBook: every section of the book at its anchor, found by its title and the chapters above it.</summary>
    private static void ReadBook(Uri url, string json, List<Entry> entries)
    {
        using var document = JsonDocument.Parse(json, Options);
        var root = document.RootElement;
        var urls = root.GetProperty("doc_urls").EnumerateArray().Select(u => u.GetString() ?? "").ToList();
        if (!root.TryGetProperty("index", out var index) || !index.TryGetProperty("documentStore", out var store) || !store.TryGetProperty("docs", out var docs))
        {
            return;
        }
        foreach (var doc in docs.EnumerateObject())
        {
            if (entries.Count >= MaxEntries || !int.TryParse(doc.Name, out var i) || i < 0 || i >= urls.Count || doc.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            var title = Text(doc.Value, "title") ?? "";
            var trail = Text(doc.Value, "breadcrumbs") ?? title;
            if (title.Length > 0 && Resolve(url, urls[i]) is { } page)
            {
                entries.Add(new Entry(PlainText.Clip(trail, PageLimits.MaxLabelChars), page.AbsoluteUri, trail));
            }
        }
    }

    /// <summary>javadoc: each type's page, and each member at its anchor on its type's page, under the package's module.</summary>
    private static void ReadJavadoc(Uri url, string json, Dictionary<string, string> modules, List<Entry> entries)
    {
        foreach (var item in Items(json))
        {
            if (entries.Count >= MaxEntries)
            {
                break;
            }
            var package = Text(item, "p");
            var label = Text(item, "l");
            if (package is null || label is null)
            {
                continue;
            }
            var module = Text(item, "m") ?? modules.GetValueOrDefault(package);
            var folder = (module is null ? "" : module + "/") + package.Replace('.', '/') + "/";
            string page;
            string name;
            if (Text(item, "c") is { } type)
            {
                page = folder + type + ".html#" + Uri.EscapeDataString(Text(item, "u") ?? label).Replace("%28", "(").Replace("%29", ")").Replace("%2C", ",");
                name = type + "." + label;
            }
            else
            {
                page = Text(item, "u") ?? folder + label + ".html";
                name = package + "." + label;
            }
            if (Resolve(url, page) is { } target)
            {
                entries.Add(new Entry(name, target.AbsoluteUri, name) { Defines = true });
            }
        }
    }

    private static IEnumerable<JsonElement> Items(string json)
    {
        using var document = JsonDocument.Parse(json, Options);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object)
            {
                yield return item.Clone();
            }
        }
    }

    private static string? Text(JsonElement item, string property) =>
        item.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// The entries that best answer the question, at most one per page: an entry that is a name the question gives
    /// (<c>functools.lru_cache</c>, <c>Path.mkdir</c> — qualified either way) first, its definition before titles that
    /// mention it; then those whose words carry most of the question's terms (half of them, and two at least), each term
    /// weighing as it is rare among the entries, a long entry weighing less than a short one that says the same.
    /// </summary>
    public static IReadOnlyList<Entry> Find(IReadOnlyList<Entry> entries, IReadOnlyList<string> question, IReadOnlyList<string> names, int max)
    {
        if (entries.Count == 0 || question.Count == 0)
        {
            return [];
        }
        // How many entries carry each term (by its stem, as a part of a word: cheap, and close enough for a weight).
        var lower = entries.Select(e => e.Words.ToLowerInvariant()).ToList();
        var idf = question.Distinct().ToDictionary(t => t, t =>
        {
            var carrying = lower.Count(w => w.Contains(t, StringComparison.Ordinal));
            return carrying == 0 ? 0 : Math.Log(1 + (double)entries.Count / carrying);
        }, StringComparer.Ordinal);
        // Most of the question: an entry that shares two common words with it ("use", "default") is no lead.
        var needed = Math.Max(Math.Min(2, question.Count), (question.Count + 1) / 2);
        var scored = new List<(Entry Entry, double Score)>();
        for (var i = 0; i < entries.Count; i++)
        {
            var score = 0.0;
            var name = Compact(entries[i].Name);
            // Qualified either way ("Path.mkdir" is "pathlib.Path.mkdir"), but a bare "mkdir" is not "Path.mkdir".
            if (names.Any(n => name == n || name.EndsWith("." + n, StringComparison.Ordinal)
                || name.Contains('.') && n.EndsWith("." + name, StringComparison.Ordinal)))
            {
                score = entries[i].Defines ? 110 : 100; // the definition before the titles that mention it
            }
            else if (question.Count(t => idf[t] > 0 && lower[i].Contains(t, StringComparison.Ordinal)) >= needed)
            {
                var words = Terms.Of(entries[i].Words).ToHashSet(StringComparer.Ordinal);
                var carried = question.Where(words.Contains).ToList();
                if (carried.Count >= needed)
                {
                    score = carried.Sum(t => idf[t]) / (1 + 0.1 * Math.Max(0, words.Count - carried.Count));
                }
            }
            if (score > 0)
            {
                scored.Add((entries[i], score));
            }
        }
        return [.. scored.OrderByDescending(s => s.Score).ThenBy(s => s.Entry.Name.Length)
            .DistinctBy(s => PageOf(s.Entry.Url)).Take(max).Select(s => s.Entry)];
    }

    /// <summary>A name as a question gives one: lower-cased, without its parameter list or the words a title adds ("lru_cache() (in module functools)").</summary>
    private static string Compact(string name)
    {
        var cut = name.IndexOfAny(['(', ' ']);
        return (cut > 0 ? name[..cut] : name).ToLowerInvariant();
    }

    private static string PageOf(string url)
    {
        var hash = url.IndexOf('#');
        return hash < 0 ? url : url[..hash];
    }
}
