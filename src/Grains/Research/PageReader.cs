using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Missions.Research;

/// <summary>
/// Reads a page into passages: HTML with a real parser (title, headings, the main text without navigation,
/// scripts and boilerplate), plain text and Markdown by their paragraphs and headings.
/// </summary>
public static partial class PageReader
{
    public const string HtmlReader = "html_reader";
    public const string TextReader = "text_reader";

    /// <summary>A passage grows until it has about this many words, and is cut at twice as many.</summary>
    private const int PassageWords = 60;

    private const string Blocks = "h1, h2, h3, h4, h5, h6, p, li, pre, blockquote, td, th, dd, dt, figcaption, summary";
    private const string Boilerplate = "script, style, noscript, template, nav, header, footer, aside, form, svg, iframe, button, [hidden], [aria-hidden=true], [role=navigation]";

    public static PageContent ReadHtml(Uri url, string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        var title = Collapse(document.Title ?? "");
        // Links in the content first, then the rest (navigation, footers): the content's links are the likelier leads.
        var main = document.QuerySelector("main, [role=main], article") ?? document.Body;
        var links = new List<PageLink>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var anchor in (main?.QuerySelectorAll("a[href]") ?? Enumerable.Empty<IElement>()).Concat(document.QuerySelectorAll("a[href]")))
        {
            if (Uri.TryCreate(url, anchor.GetAttribute("href"), out var link) && link.Scheme is "http" or "https")
            {
                var clean = new UriBuilder(link) { Fragment = "" }.Uri.ToString();
                if (seen.Add(clean))
                {
                    links.Add(new PageLink(clean, Collapse((anchor.TextContent + " " + anchor.GetAttribute("title")).Trim())));
                }
            }
        }
        foreach (var boilerplate in document.QuerySelectorAll(Boilerplate))
        {
            boilerplate.Remove();
        }
        main = document.QuerySelector("main, [role=main], article") ?? document.Body;
        if (title.Length == 0)
        {
            title = Collapse(document.QuerySelector("h1")?.TextContent ?? url.ToString());
        }

        var passages = new PassageBuilder();
        if (main is not null)
        {
            // Leaf blocks only: a list item holding paragraphs is read through its paragraphs.
            var blocks = main.QuerySelectorAll(Blocks).Where(b => b.QuerySelector(Blocks) is null).ToList();
            var covered = 0;
            foreach (var block in blocks)
            {
                var text = TextOf(block);
                covered += text.Length;
                if (block.LocalName is ['h', >= '1' and <= '6'])
                {
                    passages.Heading(text);
                }
                else
                {
                    passages.Add(text);
                }
            }
            // Text outside block elements (a page of bare <div>s): read it whole rather than lose it.
            var all = TextOf(main);
            if (covered < all.Length / 2)
            {
                passages = new PassageBuilder();
                passages.Add(all);
            }
        }
        return new PageContent { Url = url.ToString(), Title = title, Reader = HtmlReader, Passages = passages.Build(), Links = links };
    }

    /// <summary>Plain text or Markdown: paragraphs are separated by blank lines; "# Heading" lines are headings.</summary>
    public static PageContent ReadText(Uri url, string text)
    {
        var passages = new PassageBuilder();
        string? title = null;
        foreach (var paragraph in BlankLines().Split(text.Replace("\r\n", "\n")))
        {
            var lines = paragraph.Split('\n');
            var body = new StringBuilder();
            foreach (var line in lines)
            {
                var heading = MarkdownHeading().Match(line);
                if (heading.Success)
                {
                    title ??= heading.Groups[1].Value.Trim();
                    passages.Add(body.ToString());
                    body.Clear();
                    passages.Heading(heading.Groups[1].Value);
                }
                else
                {
                    body.Append(line).Append(' ');
                }
            }
            passages.Add(body.ToString());
        }
        var firstLine = text.TrimStart().Split('\n', 2)[0].Trim();
        title ??= firstLine.Length is > 0 and <= 200 ? firstLine : url.ToString();
        var links = MarkdownLinks().Matches(text)
            .Select(m => Uri.TryCreate(url, m.Groups["url"].Value, out var u) && u.Scheme is "http" or "https" ? new PageLink(u.ToString(), m.Groups["text"].Value) : null)
            .OfType<PageLink>().DistinctBy(l => l.Url).ToList();
        return new PageContent { Url = url.ToString(), Title = Collapse(title), Reader = TextReader, Passages = passages.Build(), Links = links };
    }

    /// <summary>The readable text of an element, with block boundaries kept as spaces ("Title Body", not "TitleBody").</summary>
    private static string TextOf(INode root)
    {
        var text = new StringBuilder();
        foreach (var node in root.GetDescendants())
        {
            if (node is IText t)
            {
                text.Append(t.Data).Append(' ');
            }
        }
        return Collapse(text.ToString());
    }

    private static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    /// <summary>Gathers blocks into passages of about <see cref="PassageWords"/> words, each under its heading.</summary>
    private sealed class PassageBuilder
    {
        private readonly List<Passage> _passages = [];
        private readonly StringBuilder _current = new();
        private int _words;
        private string _heading = "";

        public void Heading(string text)
        {
            Flush();
            _heading = Collapse(text);
        }

        public void Add(string text)
        {
            text = Collapse(text);
            if (text.Length == 0)
            {
                return;
            }
            var words = text.Split(' ');
            // A long block is cut into passages of its own.
            for (var start = 0; start < words.Length; start += PassageWords * 2)
            {
                var piece = words.AsSpan(start, Math.Min(PassageWords * 2, words.Length - start));
                if (_words > 0 && _words + piece.Length > PassageWords * 2)
                {
                    Flush();
                }
                _current.Append(_current.Length > 0 ? " " : "").AppendJoin(' ', piece.ToArray());
                _words += piece.Length;
                if (_words >= PassageWords)
                {
                    Flush();
                }
            }
        }

        public IReadOnlyList<Passage> Build()
        {
            Flush();
            return _passages;
        }

        private void Flush()
        {
            if (_current.Length > 0)
            {
                _passages.Add(new Passage(_heading, _current.ToString()));
            }
            _current.Clear();
            _words = 0;
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\n[ \t]*\n")]
    private static partial Regex BlankLines();

    [GeneratedRegex(@"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")]
    private static partial Regex MarkdownHeading();

    [GeneratedRegex(@"\[(?<text>[^\]]{0,200})\]\((?<url>[^)\s]{1,2000})\)")]
    private static partial Regex MarkdownLinks();
}
