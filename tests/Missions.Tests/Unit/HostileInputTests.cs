using System.Diagnostics;
using System.Net;
using System.Text;
using Missions.Execution;
using Missions.Research;

namespace Missions.Tests.Unit;

/// <summary>
/// Everything that reads text a stranger wrote — pages, robots.txt, sitemaps, chat messages — finishes in bounded
/// time on hostile and random input, and caps what it keeps.
/// </summary>
public sealed class HostileInputTests
{
    private static readonly Uri Page = new("https://example.org/docs/page");

    /// <summary>Generous for a loaded two-core CI machine; the inputs that broke the old code took minutes.</summary>
    private static readonly TimeSpan PerInput = TimeSpan.FromSeconds(3);

    [Fact]
    public void Markdown_built_to_make_a_heading_pattern_backtrack_is_read_in_linear_time()
    {
        var evil = string.Concat(Enumerable.Repeat("# a" + new string(' ', 20_000) + "b\n", 50));

        var clock = Stopwatch.StartNew();
        var page = PageReader.ReadText(Page, evil);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.True(page.Title.Length <= PageLimits.MaxLabelChars);
    }

    [Theory]
    [InlineData("# Title", "Title")]
    [InlineData("  ## Two ##", "Two")]
    [InlineData("### C# is a language", "C# is a language")]
    [InlineData("#hashtag", null)]
    [InlineData("####### seven", null)]
    [InlineData("    # indented code", null)]
    [InlineData("# ", null)]
    [InlineData("# a          b", "a          b")]
    public void Markdown_headings_are_read_as_CommonMark_says(string line, string? heading) =>
        Assert.Equal(heading, PageReader.MarkdownHeading(line));

    [Fact]
    public void A_page_caps_its_title_links_passages_and_words()
    {
        var html = $"<html><head><title>{new string('t', 2_000_000)}</title></head><body><main>" +
                   string.Concat(Enumerable.Range(0, 50_000).Select(i => $"<a href=\"/l/{i}\">{new string('x', 400)}</a>")) +
                   $"<h2>{new string('h', 10_000)}</h2><p>{new string('w', 100_000)} reminders</p></main></body></html>";

        var page = PageReader.ReadHtml(Page, html);

        Assert.True(page.Title.Length <= PageLimits.MaxLabelChars);
        Assert.Equal(PageLimits.MaxLinksPerPage, page.Links.Count);
        Assert.All(page.Links, l => Assert.True(l.Text.Length <= PageLimits.MaxLabelChars));
        Assert.All(page.Passages, p => Assert.True(p.Heading.Length <= PageLimits.MaxLabelChars));
        Assert.True(page.Passages.Count <= PageLimits.MaxPassagesPerPage);
        Assert.All(page.Passages, p => Assert.True(p.Text.Length < 20_000));
    }

    [Fact]
    public void A_page_nested_thousands_deep_is_read_without_a_per_element_search()
    {
        var html = string.Concat(Enumerable.Repeat("<li><p>reminders</p>", 20_000)) + string.Concat(Enumerable.Repeat("</li>", 20_000));

        var clock = Stopwatch.StartNew();
        var page = PageReader.ReadHtml(Page, $"<html><body><main><ul>{html}</ul></main></body></html>");

        Assert.True(clock.Elapsed < PerInput, $"took {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.NotEmpty(page.Passages);
    }

    [Fact]
    public void A_2_MB_robots_txt_of_wildcards_against_a_long_url_costs_milliseconds()
    {
        var robots = new StringBuilder("User-agent: *\n");
        while (robots.Length < 2 * 1024 * 1024)
        {
            robots.Append("Disallow: /*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b$\n");
        }
        var path = "/" + new string('a', 2_000);

        var clock = Stopwatch.StartNew();
        var rules = RobotsRules.Parse(robots.ToString(), "MissionsBot");
        var allowed = rules.IsAllowed(path);

        Assert.True(allowed);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.False(RobotsRules.Parse("User-agent: *\nDisallow: /*a*b$", "x").IsAllowed("/xxaxxb"));
        Assert.True(RobotsRules.Parse("User-agent: *\nDisallow: /*a*b$", "x").IsAllowed("/xxaxxbc"));
        Assert.False(RobotsRules.Parse("User-agent: *\nDisallow: /*a*b", "x").IsAllowed("/xxaxxbc"));
    }

    [Theory]
    [InlineData("64:ff9b::7f00:1", false)]        // NAT64 of 127.0.0.1
    [InlineData("64:ff9b::a00:1", false)]         // NAT64 of 10.0.0.1
    [InlineData("64:ff9b::808:808", true)]        // NAT64 of 8.8.8.8
    [InlineData("64:ff9b:1::a00:1", false)]       // local-use NAT64: never public
    [InlineData("2002:7f00:1::1", false)]         // 6to4 of 127.0.0.1
    [InlineData("2002:a9fe:a9fe::1", false)]      // 6to4 of 169.254.169.254 (cloud metadata)
    [InlineData("2002:808:808::1", true)]         // 6to4 of 8.8.8.8
    [InlineData("::7f00:1", false)]               // IPv4-compatible 127.0.0.1
    [InlineData("::c0a8:101", false)]             // IPv4-compatible 192.168.1.1
    [InlineData("::ffff:10.0.0.1", false)]        // IPv4-mapped
    [InlineData("2001:0:4136:e378:8000:63bf:80ff:fffe", false)] // Teredo whose client is 127.0.0.1
    [InlineData("2606:4700::1111", true)]
    public void IPv6_addresses_that_embed_IPv4_are_judged_by_the_IPv4_address(string address, bool isPublic) =>
        Assert.Equal(isPublic, NetworkGuard.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void A_result_too_big_for_one_log_line_is_cut_to_fit()
    {
        var huge = new ExecutionResult
        {
            Success = true,
            FinalAnswer = string.Concat(Enumerable.Repeat("<script>&'\"", 30_000)), // six bytes a character once escaped
            Sources = Enumerable.Range(0, 500).Select(i => new PageSource { Url = "https://example.org/" + new string('u', 3_000), Title = new string('t', 3_000) }).ToList(),
            Notes = Enumerable.Range(0, 100).Select(_ => new string('n', 5_000)).ToList(),
        };

        var fitted = Missions.ResultLimits.Fit(huge);

        var line = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            new MissionStatusUpdated { MissionId = "m", Timestamp = DateTime.UtcNow, Status = MissionStatus.Completed, Reason = "x", ExecutionResult = fitted },
            MissionsJson.Context.MissionEvent);
        Assert.True(line.Length < 64 * 1024, $"{line.Length} bytes");
        Assert.StartsWith("<script>", fitted.FinalAnswer);
        Assert.NotEmpty(fitted.Sources);
    }

    public static IEnumerable<object[]> Adversarial() =>
    [
        [string.Concat(Enumerable.Repeat("[", 100_000))],
        [string.Concat(Enumerable.Repeat("[a](", 50_000))],
        [string.Concat(Enumerable.Repeat("<", 200_000))],
        [string.Concat(Enumerable.Repeat("<div>", 100_000))],
        [string.Concat(Enumerable.Repeat("<a href='", 50_000))],
        ["# " + new string(' ', 500_000) + "#"],
        [string.Concat(Enumerable.Repeat("a.", 100_000)) + "!"],
        [string.Concat(Enumerable.Repeat("http://a", 50_000))],
        [new string('\n', 1_000_000)],
        [string.Concat(Enumerable.Repeat("<loc>", 50_000))],
        ["<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>]><urlset><url><loc>&b;</loc></url></urlset>"],
        ["User-agent: *\n" + string.Concat(Enumerable.Repeat("Disallow: /" + new string('*', 1_000) + "x\n", 200))],
        [string.Concat(Enumerable.Repeat("research 9 pages within 9 seconds ", 200))],
    ];

    [Theory]
    [MemberData(nameof(Adversarial))]
    public void Every_reader_finishes_adversarial_input_in_bounded_time(string input) => EveryReaderWithin(input);

    [Fact]
    public void Every_reader_finishes_random_input_in_bounded_time()
    {
        var random = new Random(20261201);
        const string alphabet = "#*[]()<>/\\:$!&;'\" \t\n\r.-_=?aqAQ0123456789é日\0";
        for (var i = 0; i < 60; i++)
        {
            var length = random.Next(0, 20_000);
            var text = new StringBuilder(length);
            for (var j = 0; j < length; j++)
            {
                // Runs of one character are what makes patterns backtrack: half the input comes in runs.
                var c = alphabet[random.Next(alphabet.Length)];
                text.Append(c, random.Next(2) == 0 ? 1 : random.Next(1, 200));
            }
            EveryReaderWithin(text.ToString());
        }
    }

    private static void EveryReaderWithin(string input)
    {
        var classifier = new IntentClassifier();
        var message = input.Length > ChatRequest.MaxMessageLength ? input[..ChatRequest.MaxMessageLength] : input;
        (string Name, Action Read)[] readers =
        [
            ("html", () => PageReader.ReadHtml(Page, input)),
            ("text", () => PageReader.ReadText(Page, input)),
            ("robots", () => RobotsRules.Parse(input, "MissionsBot").IsAllowed("/" + new string('a', 1_500))),
            ("sitemap", () => SitemapReader.Parse(input)),
            ("intent", () =>
            {
                var intent = classifier.Classify(message);
                if (intent.Kind == IntentKind.Actionable)
                {
                    MissionDraftBuilder.Build("s-1", message, intent, null);
                }
            }),
            ("terms", () => Assert.NotNull(Terms.OfQuestion(message))),
        ];
        foreach (var (name, read) in readers)
        {
            var clock = Stopwatch.StartNew();
            read();
            Assert.True(clock.Elapsed < PerInput, $"{name} took {clock.Elapsed.TotalMilliseconds:0} ms on {input.Length} characters starting '{input[..Math.Min(40, input.Length)]}'");
        }
    }
}
