using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Missions.Research;

/// <summary>
/// Reads a page into passages: HTML with a real parser (title, headings, the main text without navigation,
/// scripts and boilerplate), plain text and Markdown by their paragraphs and headings. A page is hostile input:
/// every step is linear in its size (no backtracking pattern, no per-element subtree search), every count and
/// label is capped (<see cref="PageLimits"/>), and the token is checked as it goes.
/// </summary>
public static partial class PageReader
{
    public const string HtmlReader = "html_reader";
    public const string TextReader = "text_reader";

    /// <summary>A passage grows until it has about this many words, and is cut at twice as many.</summary>
    internal const int PassageWords = 60;

    private const string Blocks = "h1, h2, h3, h4, h5, h6, p, li, pre, blockquote, td, th, dd, dt, figcaption, summary";
    private const string Boilerplate = "script, style, noscript, template, nav, header, footer, aside, form, svg, iframe, button, [hidden], [aria-hidden=true], [role=navigation]";

    /// <summary>
    /// A link to its own heading or term shown as one mark (Sphinx's ¶, rustdoc's §, MkDocs' and GitHub's #, a 🔗):
    /// how documentation generators offer a permalink — not words of the page.
    /// </summary>
    private static bool IsSelfLinkMark(IElement anchor)
    {
        var text = anchor.TextContent.Trim();
        return text.Length is > 0 and <= 2 && !text.Any(char.IsLetterOrDigit);
    }

    public static PageContent ReadHtml(Uri url, string html, CancellationToken cancellationToken = default)
    {
        var document = new HtmlParser().ParseDocument(HtmlNesting.Limit(html));
        cancellationToken.ThrowIfCancellationRequested();
        var title = Label(document.Title ?? "");
        // Links in the content first, with the words they stand among; then the rest (navigation, footers) as chrome.
        var main = MainOf(document);
        var links = new Links(url);
        if (main is not null)
        {
            ReadContentLinks(main, links);
        }
        foreach (var anchor in document.QuerySelectorAll("a[href]"))
        {
            if (!links.TryAdd(anchor.GetAttribute("href"), () => anchor.TextContent + " " + anchor.GetAttribute("title"), "", chrome: true))
            {
                break;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var boilerplate in document.QuerySelectorAll(Boilerplate))
        {
            boilerplate.Remove();
        }
        foreach (var mark in document.QuerySelectorAll("a[href^='#']").Where(IsSelfLinkMark).ToList())
        {
            mark.Remove();
        }
        main = MainOf(document);
        if (title.Length == 0)
        {
            title = Label(document.QuerySelector("h1")?.TextContent ?? url.ToString());
        }

        var passages = new PassageBuilder();
        if (main is not null)
        {
            var covered = 0;
            var (blocks, leftOut) = ReadBlocks(main);
            foreach (var (kind, text) in blocks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                covered += text.Length;
                if (kind is ['h', >= '1' and <= '6'])
                {
                    passages.Heading(text);
                }
                else if (kind == "dt")
                {
                    // A reference manual names its functions and options in definition terms: the term heads what
                    // follows it (the definition) as a heading does, and is read with it.
                    passages.Term(text);
                }
                else
                {
                    passages.Add(text);
                }
            }
            // A page whose words are mostly runs of bare links (what the walk leaves out as navigation): read it whole
            // rather than lose it.
            if (covered < leftOut)
            {
                passages = new PassageBuilder();
                passages.Add(TextOf(main));
            }
        }
        return new PageContent { Url = url.ToString(), Title = title, Reader = HtmlReader, Passages = passages.Build(), Links = links.List };
    }

    /// <summary>
    /// Where the page's own words are: its <c>main</c> (or <c>role=main</c>); else its article, when it has one — a page
    /// of many articles side by side (a module's functions, a blog's posts) is read whole, not as its first; else the
    /// body.
    /// </summary>
    private static IElement? MainOf(IDocument document)
    {
        if (document.QuerySelector("main, [role=main]") is { } main)
        {
            return main;
        }
        // The outermost articles: a post's replies, articles in the article, are part of it.
        var articles = document.QuerySelectorAll("article").Where(a => a.ParentElement?.Closest("article") is null).Take(2).ToList();
        return articles.Count == 1 ? articles[0] : document.Body;
    }

    /// <summary>
    /// The page's text as a browser lays it out in blocks, in document order: each block element that holds no other
    /// block (a list item holding paragraphs is read through its paragraphs), and, as a browser's anonymous blocks,
    /// the text that stands in a container outside any block element — a description straight in a <c>&lt;div&gt;</c>
    /// beside a definition list, the words of a list item before its sub-list. Each block marks its ancestors up to
    /// the first one already marked, and the walk visits each node once, so it stays linear in a page nested deep.
    /// Also how many characters of bare-link runs it left out.
    /// </summary>
    private static (List<(string Kind, string Text)> Blocks, int LeftOut) ReadBlocks(IElement main)
    {
        var blocks = main.QuerySelectorAll(Blocks);
        var isBlock = new HashSet<IElement>(blocks, ReferenceEqualityComparer.Instance);
        var holdsBlock = new HashSet<IElement>(ReferenceEqualityComparer.Instance);
        foreach (var block in blocks)
        {
            for (var parent = block.ParentElement; parent is not null && parent != main && holdsBlock.Add(parent); parent = parent.ParentElement)
            {
            }
        }
        var read = new List<(string, string)>();
        var leftOut = 0;
        Walk(main);
        return (read, leftOut);

        void Walk(IElement container) // as deep as HtmlNesting.Limit lets a page nest
        {
            var kind = isBlock.Contains(container) ? container.LocalName : "";
            var run = new StringBuilder();
            var ownWords = false; // a run of links alone is a bar of navigation (Next, Up, Index), not the page's words
            foreach (var child in container.ChildNodes)
            {
                if (child is IText text)
                {
                    run.Append(text.Data);
                    ownWords |= text.Data.Any(char.IsLetterOrDigit);
                }
                else if (child is not IElement element)
                {
                    continue; // a comment
                }
                else if (isBlock.Contains(element) && !holdsBlock.Contains(element))
                {
                    EndRun();
                    read.Add((element.LocalName, TextOf(element)));
                }
                else if (holdsBlock.Contains(element) || !InlineElements.Contains(element.LocalName))
                {
                    EndRun();
                    Walk(element);
                }
                else
                {
                    AppendText(element, run);
                    ownWords |= element.LocalName != "a";
                }
            }
            EndRun();

            void EndRun()
            {
                var words = PlainText.Collapse(run.ToString());
                if (!ownWords)
                {
                    leftOut += words.Length;
                }
                else if (words.Length > 0)
                {
                    read.Add((kind, words));
                }
                run.Clear();
                ownWords = false;
            }
        }
    }

    /// <summary>Plain text or Markdown: paragraphs are separated by blank lines; "# Heading" lines are headings.</summary>
    public static PageContent ReadText(Uri url, string text, CancellationToken cancellationToken = default)
    {
        var passages = new PassageBuilder();
        string? title = null;
        var body = new StringBuilder();
        var lines = 0;
        foreach (var raw in text.Split('\n'))
        {
            if (++lines % 1024 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            var line = raw.Length > PageLimits.MaxLineChars ? raw[..PageLimits.MaxLineChars] : raw;
            if (string.IsNullOrWhiteSpace(line))
            {
                passages.Add(body.ToString()); // a blank line ends the paragraph
                body.Clear();
            }
            else if (MarkdownHeading(line) is { } heading)
            {
                title ??= heading;
                passages.Add(body.ToString());
                body.Clear();
                passages.Heading(heading);
            }
            else
            {
                body.Append(line).Append(' ');
            }
        }
        passages.Add(body.ToString());
        var start = text.AsSpan().TrimStart();
        var newline = start.IndexOf('\n');
        var firstLine = (newline < 0 ? start : start[..newline]).Trim();
        title ??= firstLine.Length is > 0 and <= 200 ? firstLine.ToString() : url.ToString();
        var links = new Links(url);
        foreach (Match m in MarkdownLinks().Matches(text))
        {
            var label = m.Groups["text"].Value;
            if (!links.TryAdd(m.Groups["url"].Value, () => label))
            {
                break;
            }
        }
        return new PageContent { Url = url.ToString(), Title = Label(title), Reader = TextReader, Passages = passages.Build(), Links = links.List };
    }

    /// <summary>
    /// A Markdown ATX heading's text ("## Title ##" → "Title"), or null: up to three spaces, one to six '#', a space,
    /// the text, an optional closing run of '#'. Read by hand, in one pass (the pattern this replaced backtracked
    /// for minutes on "# a" followed by thousands of spaces).
    /// </summary>
    public static string? MarkdownHeading(string line)
    {
        var i = 0;
        while (i < line.Length && i < 3 && line[i] == ' ')
        {
            i++;
        }
        var hashes = 0;
        while (i < line.Length && line[i] == '#')
        {
            hashes++;
            i++;
        }
        if (hashes is 0 or > 6 || i >= line.Length || !char.IsWhiteSpace(line[i]))
        {
            return null;
        }
        var text = line.AsSpan(i).Trim();
        var closing = text.TrimEnd('#');
        if (closing.Length < text.Length && (closing.Length == 0 || char.IsWhiteSpace(closing[^1])))
        {
            text = closing.TrimEnd();
        }
        return text.Length > 0 ? text.ToString() : null;
    }

    /// <summary>
    /// The words of an element as a browser shows them: inline elements run on (<c>&lt;em&gt;maxsize&lt;/em&gt;=&lt;em&gt;128&lt;/em&gt;</c>
    /// reads "maxsize=128", not "maxsize = 128"), every other element is set apart by a space.
    /// </summary>
    private static string TextOf(INode root)
    {
        var text = new StringBuilder();
        AppendText(root, text);
        return PlainText.Collapse(text.ToString());
    }

    private static void AppendText(INode node, StringBuilder text)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child is IText t)
            {
                text.Append(t.Data);
            }
            else if (child is IElement element)
            {
                var apart = !InlineElements.Contains(element.LocalName);
                if (apart)
                {
                    text.Append(' ');
                }
                AppendText(element, text); // as deep as HtmlNesting.Limit lets a page nest
                if (apart)
                {
                    text.Append(' ');
                }
            }
        }
    }

    private static readonly HashSet<string> InlineElements = new(StringComparer.Ordinal)
    {
        "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins", "kbd", "mark",
        "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var",
    };

    /// <summary>A heading or term as a passage carries it: collapsed and clipped.</summary>
    internal static string Label(string text) => PlainText.Clip(PlainText.Collapse(text), PageLimits.MaxLabelChars);

    [GeneratedRegex(@"\[(?<text>[^\]\n]{0,300})\]\((?<url>[^)\s]{1,2048})\)", RegexOptions.NonBacktracking)]
    private static partial Regex MarkdownLinks();


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
    /// term, its definition. One walk that carries each element's holder and whether it is in the site's chrome down to
    /// its children (a reference page has tens of thousands of anchors: looking up each one's ancestors cost more than
    /// parsing the page), and each list item or definition read once, so a hostile page stays linear.
    /// </summary>
    private static void ReadContentLinks(IElement main, Links links)
    {
        var heading = "";
        var ownWords = new Dictionary<IElement, string>(ReferenceEqualityComparer.Instance);
        Walk(main, AncestorOrSelf(main, IsHolder), AncestorOrSelf(main, IsChromeContainer) is not null);

        bool Walk(IElement parent, IElement? holder, bool chrome) // false once the page has given all the links it may
        {
            for (var node = parent.FirstChild; node is not null; node = node.NextSibling)
            {
                if (node is not IElement element)
                {
                    continue;
                }
                var inChrome = chrome || IsChromeContainer(element);
                if (element.LocalName is ['h', >= '1' and <= '6'])
                {
                    heading = Label(element.TextContent);
                }
                else if (element.LocalName == "a" && element.GetAttribute("href") is { } href)
                {
                    var context = holder is null ? "" : ownWords.TryGetValue(holder, out var known) ? known : ownWords[holder] = OwnWords(holder);
                    var anchor = element;
                    if (!links.TryAdd(href, () => anchor.TextContent + " " + anchor.GetAttribute("title"), heading + " " + context, inChrome || IsChromeLink(element)))
                    {
                        return false;
                    }
                }
                if (element.HasChildNodes && !Walk(element, IsHolder(element) ? element : holder, inChrome))
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>What holds a link's words: its list item, definition term or definition, paragraph or table cell.</summary>
    private static bool IsHolder(IElement element) => element.LocalName is "li" or "dt" or "dd" or "p" or "td";

    private static IElement? AncestorOrSelf(IElement element, Func<IElement, bool> test)
    {
        for (IElement? at = element; at is not null; at = at.ParentElement)
        {
            if (test(at))
            {
                return at;
            }
        }
        return null;
    }

    /// <summary>The site's chrome around a page's words: navigation, a banner, a header or footer, an aside.</summary>
    private static bool IsChromeContainer(IElement element) =>
        element.LocalName is "nav" or "header" or "footer" or "aside"
        || element.GetAttribute("role") is "navigation" or "banner" or "contentinfo";

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
            text.Append(PlainText.Clip(definition.TextContent, PageLimits.MaxLabelChars));
        }
        return Label(PlainText.Clip(text.ToString(), 4 * PageLimits.MaxLabelChars));
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

    /// <summary>The file names sites give their single-page edition (mdBook's print.html; not rustdoc's all.html, a list of names).</summary>
    private static readonly HashSet<string> MapFiles = new(StringComparer.OrdinalIgnoreCase)
    {
        "print.html", "single-page.html", "onepage.html",
    };

    /// <summary>What such links say (the whole text, or its title): "Print this book", "Single page" …</summary>
    private static readonly HashSet<string> MapWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "print this book", "single page", "one page", "all on one page", "single-page edition", "single page edition", "whole book on one page",
    };

    private static bool IsMap(Uri link, string text) =>
        MapFiles.Contains(link.Segments[^1]) || MapWords.Contains(text.Trim().Trim('[', ']', '(', ')', '.', ':', ' '));

    /// <summary>A page's links: http(s) only, without fragments, each once, at most <see cref="PageLimits.MaxLinksPerPage"/>.</summary>
    private sealed class Links(Uri page)
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

        /// <summary>
        /// Each href (without its fragment) resolved once: a reference page links the same few pages thousands of
        /// times (a type in every signature, an anchor per member), and resolving a URL costs more than reading it.
        /// </summary>
        private readonly Dictionary<string, Uri?> _resolved = new(StringComparer.Ordinal);

        public List<PageLink> List { get; } = [];

        /// <summary>Adds a link (its text made only if it is kept); false once the page has given all it may.</summary>
        public bool TryAdd(string? href, Func<string> text, string context = "", bool chrome = false)
        {
            if (href is { Length: > 0 and <= PageLimits.MaxUrlChars } && Resolve(href) is { } link)
            {
                var clean = link.ToString();
                if (clean.Length <= PageLimits.MaxUrlChars && _seen.Add(clean))
                {
                    var words = Label(PlainText.Clip(text(), 4 * PageLimits.MaxLabelChars));
                    List.Add(new PageLink(clean, words) { Context = Label(context), Chrome = chrome, Map = IsMap(link, words) });
                }
            }
            return List.Count < PageLimits.MaxLinksPerPage;
        }

        private Uri? Resolve(string href)
        {
            var hash = href.IndexOf('#');
            var target = hash >= 0 ? href[..hash] : href;
            if (!_resolved.TryGetValue(target, out var link))
            {
                link = Uri.TryCreate(page, target, out var resolved) && resolved.Scheme is "http" or "https"
                    ? new UriBuilder(resolved) { Fragment = "" }.Uri
                    : null;
                _resolved[target] = link;
            }
            return link;
        }
    }
}
