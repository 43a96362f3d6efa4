using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;
using Markdig;
using Microsoft.Extensions.Caching.Memory;
using Missions.Chat;
using Missions.Execution;
using Missions.Log;

namespace Missions.Web.Chat;

/// <summary>
/// An answer's Markdown as HTML the page may insert: CommonMark (Markdig, raw HTML off) with tables, strikethrough and
/// bare links; each <c>[N]</c> of an answer about a mission linked to the page it cites (the quoted words as its title);
/// then an allow-list sanitizer (HtmlSanitizer) — text, structure and http(s) links, nothing else: no script, style,
/// image, form or event attribute, whatever the model or a page read put in the text. Links open in a new tab without
/// the opener or a referrer. A person's own messages stay plain text.
/// </summary>
public sealed partial class MessageMarkup(MissionLogReader missions)
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras(Markdig.Extensions.EmphasisExtras.EmphasisExtraOptions.Strikethrough)
        .UseAutoLinks()
        .UseSoftlineBreakAsHardlineBreak() // answers are written line by line, as plain text too
        .DisableHtml()
        .Build();

    private static readonly HtmlParser Parser = new();

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer(); // safe to share once configured

    /// <summary>Rendered messages by conversation and number: a message never changes once written.</summary>
    private readonly MemoryCache _rendered = new(new MemoryCacheOptions { SizeLimit = 20_000 });

    /// <summary>The HTML of <paramref name="message"/>, or null for a person's own message (shown as its text).</summary>
    public string? HtmlOf(ChatMessage message)
    {
        if (message.Role != ChatMessage.AssistantRole)
        {
            return null;
        }
        var key = (message.SessionId, message.Seq);
        if (message.Seq > 0 && _rendered.TryGetValue(key, out string? html))
        {
            return html;
        }
        // Only a mission's outcome carries its answer's [N]; other replies about a mission need not read its stream.
        html = Render(message.Text, message is { ReplyType: ChatResponse.MissionUpdate, MissionId: { } id } ? CitationsOf(id) : []);
        if (message.Seq > 0)
        {
            _rendered.Set(key, html, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) });
        }
        return html;
    }

    /// <summary>The citations an answer's <c>[N]</c> can name: the mission's cited sentences, then the pages it read, by number.</summary>
    private Dictionary<int, AnswerCitation> CitationsOf(string missionId)
    {
        var result = missions.ReadState(missionId).ExecutionResult;
        var cited = new Dictionary<int, AnswerCitation>();
        if (result is null)
        {
            return cited;
        }
        foreach (var citation in result.Citations)
        {
            cited.TryAdd(citation.N, citation);
        }
        for (var i = 0; i < result.Sources.Count; i++)
        {
            cited.TryAdd(i + 1, new AnswerCitation { N = i + 1, Url = result.Sources[i].Url, Title = result.Sources[i].Title });
        }
        return cited;
    }

    /// <summary>Markdown to sanitized HTML, <c>[N]</c> linked where <paramref name="citations"/> has N.</summary>
    public static string Render(string markdown, IReadOnlyDictionary<int, AnswerCitation> citations)
    {
        string html;
        try
        {
            html = Markdown.ToHtml(markdown, Pipeline);
        }
        catch (ArgumentException)
        {
            // Nested past Markdig's depth limit (a hostile page's thousands of '>' or '['): shown as the words it is.
            html = "<p>" + System.Net.WebUtility.HtmlEncode(markdown).ReplaceLineEndings("<br>") + "</p>";
        }
        var document = Parser.ParseDocument("<!doctype html><body>" + html);
        var body = document.Body!;
        foreach (var image in body.QuerySelectorAll("img").ToList())
        {
            // An image would load from wherever the text says as the page opens (a tracker); its words stay.
            image.Replace(document.CreateTextNode(image.GetAttribute("alt") ?? ""));
        }
        if (citations.Count > 0)
        {
            LinkCitations(document, body, citations);
        }
        return Sanitizer.Sanitize(body.InnerHtml).Trim();
    }

    [GeneratedRegex(@"\[(\d{1,3})\]")]
    private static partial Regex CitationMark();

    private static void LinkCitations(IDocument document, IElement body, IReadOnlyDictionary<int, AnswerCitation> citations)
    {
        var texts = body.Descendants<IText>().Where(t => t.ParentElement?.Closest("a, code, pre") is null).ToList();
        foreach (var text in texts)
        {
            var data = text.Data;
            var marks = CitationMark().Matches(data);
            if (marks.Count == 0)
            {
                continue;
            }
            var parts = new List<INode>();
            var at = 0;
            foreach (Match mark in marks)
            {
                if (!citations.TryGetValue(int.Parse(mark.Groups[1].ValueSpan), out var citation) || !IsWebAddress(citation.Url))
                {
                    continue;
                }
                parts.Add(document.CreateTextNode(data[at..mark.Index]));
                var link = document.CreateElement("a");
                link.SetAttribute("href", citation.Url);
                link.SetAttribute("class", "cite");
                var quote = citation.Quote.Length > 0 ? $"“{PlainText.Clip(citation.Quote, 300)}” — " : "";
                link.SetAttribute("title", quote + (citation.Title.Length > 0 ? citation.Title : citation.Url));
                link.TextContent = mark.Value;
                parts.Add(link);
                at = mark.Index + mark.Length;
            }
            if (parts.Count == 0)
            {
                continue;
            }
            parts.Add(document.CreateTextNode(data[at..]));
            var parent = text.Parent!;
            foreach (var part in parts)
            {
                parent.InsertBefore(part, text);
            }
            parent.RemoveChild(text);
        }
    }

    private static bool IsWebAddress(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static HtmlSanitizer CreateSanitizer()
    {
        var options = new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code",
                "em", "strong", "del", "a", "table", "thead", "tbody", "tr", "th", "td",
            },
            AllowedAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href", "title", "class", "start" },
            AllowedClasses = new HashSet<string>(StringComparer.Ordinal) { "cite" },
            AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "http", "https" },
            UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href" },
            AllowedCssProperties = new HashSet<string>(),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
        };
        var sanitizer = new HtmlSanitizer(options);
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is not IElement { LocalName: "a" } link)
            {
                return;
            }
            if (!IsWebAddress(link.GetAttribute("href") ?? ""))
            {
                link.RemoveAttribute("href"); // a relative or other address: its words, not a link
                return;
            }
            link.SetAttribute("rel", "noopener noreferrer nofollow");
            link.SetAttribute("target", "_blank");
        };
        return sanitizer;
    }
}
