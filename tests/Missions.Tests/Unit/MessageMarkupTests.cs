using AngleSharp.Html.Parser;
using Missions.Web.Chat;

namespace Missions.Tests.Unit;

/// <summary>An answer's Markdown as the page gets it: structure kept, anything active gone, citations linked.</summary>
public sealed class MessageMarkupTests
{
    private static readonly Dictionary<int, AnswerCitation> None = [];

    private static readonly Dictionary<int, AnswerCitation> Cited = new()
    {
        [1] = new AnswerCitation { N = 1, Url = "https://docs.example/reminders", Title = "Reminders", Quote = "Reminders are \"durable\" <b>and</b> persist." },
        [2] = new AnswerCitation { N = 2, Url = "javascript:alert(1)", Title = "Hostile" },
    };

    /// <summary>The rendered HTML parsed as a browser would: what it holds, not how it is spelled.</summary>
    private static AngleSharp.Html.Dom.IHtmlDocument Parse(string html) => new HtmlParser().ParseDocument("<body>" + html);

    [Fact]
    public void Headings_lists_code_tables_and_links_render()
    {
        var html = MessageMarkup.Render("# Title\n\n- one\n- **two**\n\n1. first\n\n`inline` and\n\n```\nblock <b>\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nsee https://docs.example/x and [the guide](https://docs.example/guide) ~~old~~", None);
        var doc = Parse(html);
        Assert.Equal("Title", doc.QuerySelector("h1")!.TextContent);
        Assert.Equal(2, doc.QuerySelectorAll("ul li").Length);
        Assert.Equal("two", doc.QuerySelector("ul li strong")!.TextContent);
        Assert.NotNull(doc.QuerySelector("ol li"));
        Assert.Equal("block <b>\n", doc.QuerySelector("pre code")!.TextContent);
        Assert.Equal(2, doc.QuerySelectorAll("table td").Length);
        Assert.NotNull(doc.QuerySelector("del"));
        var links = doc.QuerySelectorAll("a").ToList();
        Assert.Equal(["https://docs.example/x", "https://docs.example/guide"], links.Select(a => a.GetAttribute("href")));
        Assert.All(links, a =>
        {
            Assert.Equal("noopener noreferrer nofollow", a.GetAttribute("rel"));
            Assert.Equal("_blank", a.GetAttribute("target"));
        });
    }

    [Fact]
    public void Single_line_breaks_stay_lines()
    {
        var doc = Parse(MessageMarkup.Render("Mission c1 completed.\nFrom 3 pages:\n— Title (https://docs.example/a)", None));
        Assert.Equal(2, doc.QuerySelectorAll("br").Length);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("![x](https://tracker.example/pixel.png)")]
    [InlineData("![x](x\" onerror=\"alert(1))")]
    [InlineData("[click](javascript:alert(1))")]
    [InlineData("[click](JAVASCRIPT:alert(1))")]
    [InlineData("[click](&#106;avascript:alert(1))")]
    [InlineData("[click](java\tscript:alert(1))")]
    [InlineData("[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)")]
    [InlineData("[click](vbscript:msgbox(1))")]
    [InlineData("<javascript:alert(1)>")]
    [InlineData("[x]: javascript:alert(1)\n\n[x]")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>")]
    [InlineData("<iframe src=\"https://evil.example\"></iframe>")]
    [InlineData("<style>body{display:none}</style>")]
    [InlineData("<div style=\"position:fixed;inset:0;background:url(https://evil.example/x)\">cover</div>")]
    [InlineData("<form action=\"https://evil.example\"><input name=p><button>Sign in</button></form>")]
    [InlineData("<svg onload=alert(1)>")]
    [InlineData("<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>")]
    [InlineData("<!-- <script>alert(1)</script> -->")]
    [InlineData("<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">")]
    [InlineData("[x](https://ok.example \"a\\\" onmouseover=\\\"alert(1)\")")]
    [InlineData("[relative](/api/missions/c1/cancel)")]
    [InlineData("```html\n<script>alert(1)</script>\n```")]
    public void Hostile_markup_renders_inert(string markdown)
    {
        var html = MessageMarkup.Render("before " + markdown + " after", Cited);
        var doc = Parse(html);
        Assert.Empty(doc.QuerySelectorAll("script, img, iframe, style, form, input, button, svg, math, meta, object, embed, link, base"));
        foreach (var element in doc.Body!.QuerySelectorAll("*"))
        {
            Assert.All(element.Attributes, a =>
            {
                Assert.Contains(a.Name, (string[])["href", "title", "class", "start", "rel", "target"]);
                if (a.Name == "href")
                {
                    Assert.Matches("^https?://", a.Value);
                }
                if (a.Name == "class")
                {
                    Assert.Equal("cite", a.Value);
                }
            });
        }
        Assert.Contains("before", doc.Body.TextContent);
    }

    [Fact]
    public void Citations_link_to_their_pages_with_the_quote_and_only_where_they_can()
    {
        var html = MessageMarkup.Render("Reminders persist [1]. Hostile [2], unknown [7], code `[1]`, linked [see](https://docs.example/other) [1][1].", Cited);
        var doc = Parse(html);
        var cites = doc.QuerySelectorAll("a.cite").ToList();
        Assert.Equal(3, cites.Count);
        Assert.All(cites, a =>
        {
            Assert.Equal("[1]", a.TextContent);
            Assert.Equal("https://docs.example/reminders", a.GetAttribute("href"));
            Assert.StartsWith("“Reminders are \"durable\" <b>and</b> persist.” — Reminders", a.GetAttribute("title"));
        });
        Assert.Contains("Hostile [2], unknown [7]", doc.Body!.TextContent);
        Assert.Equal("[1]", doc.QuerySelector("code")!.TextContent);
    }

    [Fact]
    public void Empty_and_huge_answers_render()
    {
        Assert.Equal("", MessageMarkup.Render("", None));
        var huge = string.Concat(Enumerable.Repeat("*a* [1] <b>x</b> ", 20_000));
        var doc = Parse(MessageMarkup.Render(huge, Cited));
        Assert.Equal(20_000, doc.QuerySelectorAll("a.cite").Length);
        Assert.Empty(doc.QuerySelectorAll("b"));
        var nested = new string('>', 5_000) + " deep" + new string('[', 5_000);
        Assert.Contains("deep", Parse(MessageMarkup.Render(nested, None)).Body!.TextContent);
    }
}
