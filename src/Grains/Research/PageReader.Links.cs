using System.Text;
using AngleSharp.Dom;

namespace Missions.Research;

/// <summary>A page's links, and what the page says of each: the words it stands among, and whether it is site chrome.</summary>
public static partial class PageReader
{
    private const string ChromeContainers = "nav, header, footer, aside, [role=navigation], [role=banner], [role=contentinfo]";

    private static readonly HashSet<string> ChromeWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "next", "previous", "prev", "up", "home", "top", "back", "index", "contents", "table of contents", "modules",
        "next page", "previous page", "back to top", "skip to content", "main page", "start",
    };

    /// <summary>Link relations that say where a link is in the site (HTML's and the older ones manuals still use).</summary>
    private static readonly HashSet<string> ChromeRels = new(StringComparer.OrdinalIgnoreCase)
    {
        "next", "prev", "previous", "up", "home", "index", "contents", "start", "first", "last",
    };

    /// <summary>
    /// The content's links in document order, each with the words it stands among (<see cref="PageLink.Context"/>): the
    /// heading above it, the own words of its list item (not those of the lists nested in it), or, for a definition
    /// term, its definition. One walk, and each list item or definition read once, so a hostile page stays linear.
    /// </summary>
    private static void ReadContentLinks(IElement main, Links links)
    {
        var heading = "";
        var ownWords = new Dictionary<IElement, string>(ReferenceEqualityComparer.Instance);
        foreach (var element in main.Descendants<IElement>())
        {
            if (element.LocalName is ['h', >= '1' and <= '6'])
            {
                heading = Label(element.TextContent);
                continue;
            }
            if (element.LocalName != "a" || element.GetAttribute("href") is not { } href)
            {
                continue;
            }
            var holder = element.Closest("li, dt, dd, p, td");
            var context = holder is null ? "" : ownWords.TryGetValue(holder, out var known) ? known : ownWords[holder] = OwnWords(holder);
            var chrome = element.Closest(ChromeContainers) is not null || IsChromeLink(element);
            if (!links.TryAdd(href, () => element.TextContent + " " + element.GetAttribute("title"), heading + " " + context, chrome))
            {
                return;
            }
        }
    }

    /// <summary>
    /// What a list item, definition or paragraph says of the links in it: its own text without the lists nested in it
    /// (a table of contents' item is not about its sub-items); for a definition term, the definition that follows.
    /// </summary>
    private static string OwnWords(IElement holder)
    {
        var text = new StringBuilder();
        foreach (var child in holder.ChildNodes)
        {
            if (child is IElement { LocalName: "ul" or "ol" or "dl" })
            {
                continue;
            }
            text.Append(child.TextContent).Append(' ');
            if (text.Length > PageLimits.MaxLabelChars)
            {
                break;
            }
        }
        if (holder.LocalName == "dt" && holder.NextElementSibling is { LocalName: "dd" } definition)
        {
            text.Append(PageLimits.Clip(definition.TextContent, PageLimits.MaxLabelChars));
        }
        return Label(PageLimits.Clip(text.ToString(), 4 * PageLimits.MaxLabelChars));
    }

    /// <summary>A Prev/Next/Up/Home link: by its rel, or by words that say where it is in the site, not what it is about.</summary>
    private static bool IsChromeLink(IElement anchor)
    {
        if ((anchor.GetAttribute("rel") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(ChromeRels.Contains))
        {
            return true;
        }
        var text = anchor.TextContent;
        return text.Length <= 40 && ChromeWords.Contains(text.Trim().Trim('«', '»', '‹', '›', '←', '→', '↑', '|', '<', '>', '[', ']', ' ', '.', ':'));
    }

    /// <summary>A page's links: http(s) only, without fragments, each once, at most <see cref="PageLimits.MaxLinksPerPage"/>.</summary>
    private sealed class Links(Uri page)
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

        public List<PageLink> List { get; } = [];

        /// <summary>Adds a link (its text made only if it is kept); false once the page has given all it may.</summary>
        public bool TryAdd(string? href, Func<string> text, string context = "", bool chrome = false)
        {
            if (href is { Length: > 0 and <= PageLimits.MaxUrlChars } && Uri.TryCreate(page, href, out var link) && link.Scheme is "http" or "https")
            {
                var clean = new UriBuilder(link) { Fragment = "" }.Uri.ToString();
                if (clean.Length <= PageLimits.MaxUrlChars && _seen.Add(clean))
                {
                    List.Add(new PageLink(clean, Label(PageLimits.Clip(text(), 4 * PageLimits.MaxLabelChars)))
                    {
                        Context = Label(context), Chrome = chrome,
                    });
                }
            }
            return List.Count < PageLimits.MaxLinksPerPage;
        }
    }
}
