using System.Text;

namespace Missions.Research;

/// <summary>
/// Caps how deep a page's elements nest before the HTML parser sees it. An HTML parser checks the stack of open
/// elements at every tag, so 100,000 nested <c>&lt;div&gt;</c>s cost it minutes (quadratic); browsers cap the
/// depth for the same reason (Blink at 512). Start tags past <see cref="MaxDepth"/> are dropped (their text stays),
/// in one pass over the text. Tags the parser closes by itself (<c>li</c>, <c>p</c>, <c>td</c>, …), void elements and
/// self-closing tags do not count; the contents of comments, scripts and styles are skipped.
/// </summary>
public static class HtmlNesting
{
    public const int MaxDepth = 256;

    private static readonly HashSet<string> DoNotNest = new(StringComparer.OrdinalIgnoreCase)
    {
        // void elements
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param", "keygen",
        // ended by the parser when the next one starts
        "li", "p", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rp",
        "html", "head", "body",
    };

    public static string Limit(string html)
    {
        StringBuilder? output = null; // made only once a tag has to go
        var copiedUpTo = 0;
        var open = new List<string>(); // the elements open now, as the parser will see them (at most MaxDepth)
        var i = html.IndexOf('<');
        while (i >= 0 && i < html.Length - 1)
        {
            var next = i + 1;
            if (string.CompareOrdinal(html, i, "<!--", 0, 4) == 0)
            {
                var end = html.IndexOf("-->", i + 4, StringComparison.Ordinal);
                next = end < 0 ? html.Length : end + 3;
            }
            else if (html[i + 1] == '/' || char.IsAsciiLetter(html[i + 1]))
            {
                var closing = html[i + 1] == '/';
                var nameStart = closing ? i + 2 : i + 1;
                var nameEnd = nameStart;
                while (nameEnd < html.Length && (char.IsAsciiLetterOrDigit(html[nameEnd]) || html[nameEnd] == '-'))
                {
                    nameEnd++;
                }
                var tagEnd = html.IndexOf('>', nameEnd);
                if (tagEnd < 0)
                {
                    break;
                }
                var name = html.AsSpan(nameStart, nameEnd - nameStart);
                next = tagEnd + 1;
                if (closing)
                {
                    // An end tag closes the innermost open element of its name and all inside it; a stray one
                    // (nothing of that name is open) closes nothing, as in the parser — counting it would let
                    // "<div></x>" repeated nest without limit.
                    for (var at = open.Count - 1; at >= 0; at--)
                    {
                        if (name.Equals(open[at], StringComparison.OrdinalIgnoreCase))
                        {
                            open.RemoveRange(at, open.Count - at);
                            break;
                        }
                    }
                }
                else if (name.Equals("script", StringComparison.OrdinalIgnoreCase) || name.Equals("style", StringComparison.OrdinalIgnoreCase))
                {
                    var end = html.IndexOf("</" + name.ToString(), next, StringComparison.OrdinalIgnoreCase);
                    next = end < 0 ? html.Length : end;
                }
                else if (IsNesting(name) && html[tagEnd - 1] != '/')
                {
                    if (open.Count >= MaxDepth)
                    {
                        output ??= new StringBuilder(html.Length);
                        output.Append(html, copiedUpTo, i - copiedUpTo);
                        copiedUpTo = next; // the tag goes; what it held stays, one level up
                    }
                    else
                    {
                        open.Add(name.ToString());
                    }
                }
            }
            i = next >= html.Length ? -1 : html.IndexOf('<', next);
        }
        return output is null ? html : output.Append(html, copiedUpTo, html.Length - copiedUpTo).ToString();
    }

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> DoNotNestBySpan = DoNotNest.GetAlternateLookup<ReadOnlySpan<char>>();

    private static bool IsNesting(ReadOnlySpan<char> name) => name.Length > 0 && !DoNotNestBySpan.Contains(name);
}
