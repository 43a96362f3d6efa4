using Missions.Execution;
using System.Diagnostics;
using Missions.LanguageModel;
using Missions.Research;

namespace Missions.Tests.Unit;

/// <summary>The agent's reading parts on their own: robots.txt, sitemaps, passages, terms and BM25.</summary>
public sealed class ReadingTests
{
    private const string Robots = """
        User-agent: *
        Disallow: /private/
        Allow: /private/open$
        Disallow: /*.pdf$
        Disallow: /search?

        # comment
        User-agent: MissionsBot
        User-agent: Other
        Disallow: /only-for-us/
        Allow: /only-for-us/but-this
        Crawl-delay: 2.5

        Sitemap: https://example.com/sitemap.xml
        """;

    [Theory]
    [InlineData("MissionsBot", "/only-for-us/page", false)]
    [InlineData("MissionsBot", "/only-for-us/but-this/page", true)] // longer rule wins
    [InlineData("MissionsBot", "/private/page", true)]              // its own group replaces "*"
    [InlineData("SomeBot", "/private/page", false)]
    [InlineData("SomeBot", "/private/open", true)]
    [InlineData("SomeBot", "/private/open/more", false)]            // "$" anchors the end
    [InlineData("SomeBot", "/docs/file.pdf", false)]                // "*" spans any run
    [InlineData("SomeBot", "/docs/file.pdf?x=1", true)]
    [InlineData("SomeBot", "/search?q=orleans", false)]
    [InlineData("SomeBot", "/searching", true)]
    [InlineData("SomeBot", "/", true)]
    public void Robots_rules_pick_the_agents_group_and_the_longest_match(string agent, string path, bool allowed) =>
        Assert.Equal(allowed, RobotsRules.Parse(Robots, agent).IsAllowed(path));

    [Fact]
    public void Robots_crawl_delay_and_sitemaps_are_read()
    {
        var rules = RobotsRules.Parse(Robots, "MissionsBot");

        Assert.Equal(TimeSpan.FromSeconds(2.5), rules.CrawlDelay);
        Assert.Equal(["https://example.com/sitemap.xml"], rules.Sitemaps);
        Assert.Null(RobotsRules.Parse(Robots, "SomeBot").CrawlDelay);
    }

    [Fact]
    public void Allow_wins_a_tie_and_an_empty_disallow_allows_everything()
    {
        Assert.True(RobotsRules.Parse("User-agent: *\nDisallow: /a\nAllow: /a", "x").IsAllowed("/a/b"));
        Assert.True(RobotsRules.Parse("User-agent: *\nDisallow:", "x").IsAllowed("/anything"));
        Assert.False(RobotsRules.Parse("User-agent: *\nDisallow: /", "x").IsAllowed("/anything"));
    }

    [Fact]
    public void A_hostile_wildcard_pattern_does_not_backtrack_for_ever()
    {
        var rules = RobotsRules.Parse("User-agent: *\nDisallow: /" + string.Concat(Enumerable.Repeat("*a", 200)) + "b$", "x");
        var clock = Stopwatch.StartNew();

        var allowed = rules.IsAllowed("/" + new string('a', 2000));

        Assert.True(allowed);
        Assert.True(clock.ElapsedMilliseconds < 2000, $"{clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Sitemaps_list_pages_and_child_sitemaps_without_resolving_entities()
    {
        var (pages, _) = SitemapReader.Parse("""
            <?xml version="1.0"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> https://a.example/x </loc></url><url><loc>https://a.example/y</loc></url></urlset>
            """);
        var (_, children) = SitemapReader.Parse("""
            <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://a.example/s1.xml</loc></sitemap></sitemapindex>
            """);
        var (hostile, _) = SitemapReader.Parse("""
            <?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><urlset><url><loc>&a;</loc></url></urlset>
            """);

        Assert.Equal(["https://a.example/x", "https://a.example/y"], pages);
        Assert.Equal(["https://a.example/s1.xml"], children);
        Assert.Empty(hostile);
    }

    [Fact]
    public void Html_is_read_into_passages_under_their_headings_without_boilerplate()
    {
        var page = PageReader.ReadHtml(new Uri("https://a.example/p"), """
            <html><head><title> The  Title </title><style>.x{}</style></head><body>
            <header>Site header</header><nav><a href="/nav">Nav link</a></nav>
            <main>
              <h1>Reminders</h1><p>First paragraph about reminders.</p>
              <h2>Storage</h2><ul><li><p>Stored in a table.</p></li></ul>
              <a href="/next#part">Next page</a> <a href="mailto:x@y">mail</a>
              <script>var hidden = "not text";</script>
            </main>
            <footer>Footer text</footer>
            </body></html>
            """);

        Assert.Equal("The Title", page.Title);
        Assert.Equal([new Passage("Reminders", "First paragraph about reminders."), new Passage("Storage", "Stored in a table.")], page.Passages);
        Assert.Equal(["https://a.example/next", "https://a.example/nav"], page.Links.Select(l => l.Url));
        Assert.Equal("Next page", page.Links[0].Text);
        Assert.DoesNotContain(page.Passages, p => p.Text.Contains("not text") || p.Text.Contains("Footer") || p.Text.Contains("Site header"));
    }

    [Fact]
    public void Long_text_is_cut_into_passages_of_bounded_length()
    {
        var words = string.Join(' ', Enumerable.Range(0, 1000).Select(i => "w" + i));

        var page = PageReader.ReadText(new Uri("https://a.example/t.txt"), "Title line\n\n" + words);

        Assert.True(page.Passages.Count >= 8);
        Assert.All(page.Passages, p => Assert.InRange(p.Text.Split(' ').Length, 1, 120));
        Assert.Equal(1000, page.Passages.Sum(p => p.Text.Split(' ').Length) - 2); // "Title line" is a passage too
    }

    [Fact]
    public void The_question_keeps_its_subject_and_drops_sites_budgets_and_asking_words()
    {
        var terms = Terms.OfQuestion("Research Orleans reminders on learn.microsoft.com https://x.example/a up to 5 pages within 2 minutes, please");

        Assert.Equal(["orlean", "reminder"], terms); // plurals folded; pages are analysed the same way
    }

    private static PageLink Link(Uri site, string path, string text, string context = "", bool chrome = false) =>
        new(new Uri(site, path).ToString(), text) { Context = context, Chrome = chrome };

    [Fact]
    public void A_word_every_link_of_a_section_carries_does_not_keep_the_reader_in_that_section()
    {
        var frontier = new CrawlFrontier(Terms.OfQuestion("what the etag check prevents when grain state is written"));
        var site = new Uri("https://docs.example/");
        frontier.OfferLinks(site, [Link(site, "/grains/", "Grains"), Link(site, "/silos/", "Silos"), Link(site, "/persistence/", "Persistence"), Link(site, "/streams/", "Streams")], 1);
        Assert.True(frontier.TryTakeNext(out var first, out _));
        Assert.Equal("/grains/", first.AbsolutePath); // the only section sharing a word with the question

        // Inside, every link says "grain": that tells none of them apart, so the other sections come first…
        var section = new Uri(site, "/grains/");
        frontier.OfferLinks(section, [.. Enumerable.Range(1, 6).Select(n => Link(site, $"/grains/{n}", $"Grains runtime notes {n}"))], 2);
        Assert.True(frontier.TryTakeNext(out var next, out _));
        Assert.Equal("/silos/", next.AbsolutePath);

        // …and a child whose title names the topic in its own words beats them all, and the Home link in its navigation.
        var persistence = new Uri(site, "/persistence/");
        frontier.OfferLinks(persistence, [Link(site, "/", "Home", chrome: true), .. Enumerable.Range(1, 5).Select(n => Link(site, $"/persistence/{n}", $"Persistence notes {n}")),
            Link(site, "/persistence/13", "Grain state, etags and concurrency")], 2);
        Assert.True(frontier.TryTakeNext(out var best, out _));
        Assert.Equal("/persistence/13", best.AbsolutePath);
    }

    [Fact]
    public void Chrome_that_shares_a_word_with_the_question_waits_behind_the_content_that_says_the_same()
    {
        var frontier = new CrawlFrontier(Terms.OfQuestion("how are reminders stored"));
        var page = new Uri("https://docs.example/guide/");
        frontier.OfferLinks(page, [Link(page, "/reminders-nav", "Reminders", chrome: true), Link(page, "/guide/a", "Timers"),
            Link(page, "/guide/reminders", "Reminders"), Link(page, "/guide/b", "Streams"), Link(page, "/guide/c", "Silos")], 1);

        Assert.True(frontier.TryTakeNext(out var first, out _));
        Assert.Equal("/guide/reminders", first.AbsolutePath);
        Assert.True(frontier.TryTakeNext(out var second, out _));
        Assert.Equal("/reminders-nav", second.AbsolutePath); // it does share the word: before the links that share none
    }

    [Fact]
    public void The_words_around_a_link_speak_for_it_and_a_definition_lists_description_is_read_with_its_term()
    {
        var page = PageReader.ReadHtml(new Uri("https://docs.example/git.html"), """
            <html><body><nav><a href="index.html">Home</a></nav><main><h2>Main porcelain commands</h2><dl>
            <dt><a href="git-am.html">git-am(1)</a></dt><dd><p>Apply a series of patches from a mailbox.</p></dd>
            <dt><a href="git-gc.html">git-gc(1)</a></dt><dd><p>Cleanup unnecessary files and optimize the local repository.</p></dd>
            </dl><ul><li><a href="toc.html">Contents</a></li></ul></main></body></html>
            """);

        var am = page.Links.Single(l => l.Url.EndsWith("git-am.html", StringComparison.Ordinal));
        Assert.Contains("Main porcelain commands", am.Context);
        Assert.Contains("Apply a series of patches from a mailbox", am.Context);
        Assert.False(am.Chrome);
        Assert.True(page.Links.Single(l => l.Url.EndsWith("index.html", StringComparison.Ordinal)).Chrome); // in <nav>
        Assert.True(page.Links.Single(l => l.Url.EndsWith("toc.html", StringComparison.Ordinal)).Chrome); // "Contents"

        var frontier = new CrawlFrontier(Terms.OfQuestion("how do I apply patches from a mailbox"));
        frontier.OfferLinks(new Uri(page.Url), page.Links, 1);
        Assert.True(frontier.TryTakeNext(out var first, out _));
        Assert.EndsWith("git-am.html", first.AbsolutePath, StringComparison.Ordinal); // its link text says none of it
    }

    [Fact]
    public void Text_outside_any_block_element_is_read_where_it_stands_as_a_browser_lays_it_out()
    {
        // A member's description straight in a <div> beside its definition list, a list item's own words before its
        // sub-list: text a browser shows as blocks of their own, in the page's order.
        var page = PageReader.ReadHtml(new Uri("https://docs.example/api/Buffer.html"), """
            <html><body><main><h1>Class Buffer</h1>
            <section id="poolSize"><h3>poolSize</h3><div class="signature"><span>public static int</span> <b>poolSize</b></div>
            <div class="block">The size of the pool, in bytes. Defaults to <code>8192</code>.</div>
            <dl class="notes"><dt>Since:</dt><dd>1.4</dd></dl></section>
            <ul><li>Limits <ul><li>at most 16 pools</li></ul></li></ul>
            <div>plain <div>nested <em>words</em></div> after</div></main></body></html>
            """);

        var text = string.Join(" | ", page.Passages.Select(p => p.Heading + ": " + p.Text));
        var pool = page.Passages.Single(p => p.Text.Contains("The size of the pool, in bytes. Defaults to 8192.", StringComparison.Ordinal));
        Assert.Equal("poolSize", pool.Heading);
        Assert.Contains("public static int poolSize", pool.Text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("public static int", StringComparison.Ordinal) < text.IndexOf("The size of the pool", StringComparison.Ordinal));
        Assert.True(text.IndexOf("The size of the pool", StringComparison.Ordinal) < text.IndexOf("Since:", StringComparison.Ordinal));
        Assert.Contains("Limits", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("Limits", StringComparison.Ordinal) < text.IndexOf("at most 16 pools", StringComparison.Ordinal));
        Assert.Matches("plain nested words after", text);
    }

    [Fact]
    public void A_sites_single_page_edition_is_read_right_after_the_start_page_and_a_list_of_names_is_not_one()
    {
        var page = PageReader.ReadHtml(new Uri("https://docs.example/book/index.html"), """
            <html><body><nav><a href="ch01.html">1. Getting started</a><a href="ch03-02.html">3.2 Data types</a>
            <a href="print.html" title="Print this book" aria-label="Print this book"><i class="fa fa-print"></i></a>
            <a href="../std/all.html">All Items</a></nav>
            <main><h1>The Book</h1><p>Read <a href="ch01.html">the first chapter</a>.</p></main></body></html>
            """);

        Assert.True(page.Links.Single(l => l.Url.EndsWith("/print.html", StringComparison.Ordinal)).Map);   // by its file name and title
        Assert.False(page.Links.Single(l => l.Url.EndsWith("/all.html", StringComparison.Ordinal)).Map);    // rustdoc's list of names
        Assert.False(page.Links.Single(l => l.Url.EndsWith("/ch03-02.html", StringComparison.Ordinal)).Map);
        var named = PageReader.ReadHtml(new Uri("https://docs.example/guide/"), """<html><body><main><a href="everything">Single page</a></main></body></html>""");
        Assert.True(named.Links.Single().Map); // by what the link says

        // The contents do not name what the question asks ("floating-point"): the single-page edition is read next.
        var frontier = new CrawlFrontier(Terms.OfQuestion("what is the default floating-point type"));
        frontier.OfferLinks(new Uri(page.Url), page.Links, 1);
        Assert.True(frontier.TryTakeNext(out var first, out _));
        Assert.EndsWith("/print.html", first.AbsolutePath, StringComparison.Ordinal);
        // Offered again by every page it is on, it is not raised again once read (nor more than twice a mission).
        frontier.OfferLinks(new Uri("https://docs.example/book/ch01.html"), page.Links, 2);
        Assert.True(frontier.TryTakeNext(out var second, out _));
        Assert.DoesNotContain("print", second.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public void A_better_passage_found_later_changes_which_link_is_read_next()
    {
        var question = Terms.OfQuestion("what does the etag check prevent when grain state is written");
        var frontier = new CrawlFrontier(question);
        var feedback = new ReadingFeedback(question);
        var site = new Uri("https://docs.example/");
        frontier.OfferLinks(site, [Link(site, "/a", "Storage providers"), Link(site, "/b", "Optimistic concurrency"), Link(site, "/c", "Serialization"), Link(site, "/d", "Timers")], 1);
        Assert.Empty(frontier.Learned);

        // A page that answers well speaks of "concurrency" and "overwrite": the link that says so is read next,
        // though it was offered with nothing in common with the question.
        var answering = new PageContent
        {
            Url = "https://docs.example/persistence", Title = "Persistence", Reader = PageReader.HtmlReader,
            Passages = [new Passage("Etags", "The etag check prevents a stale activation from writing grain state over newer state: optimistic concurrency, a conflicting write fails."),
                new Passage("Other", "Unrelated text about timers and silos.")],
        };
        frontier.Learn(feedback.Read(answering));

        Assert.Contains("concurrency", frontier.Learned);
        Assert.True(frontier.TryTakeNext(out var next, out _));
        Assert.Equal("/b", next.AbsolutePath);
    }

    [Fact]
    public void A_word_that_led_to_pages_of_no_use_stops_leading()
    {
        var frontier = new CrawlFrontier(Terms.OfQuestion("which meters the runtime publishes"));
        var site = new Uri("https://docs.example/");
        frontier.OfferLinks(site, [Link(site, "/observability/", "Observability"), Link(site, "/deployment/", "Deployment"), Link(site, "/clustering/", "Clustering"),
            Link(site, "/streams/", "Streams"), Link(site, "/a/1", "Grains runtime notes"), Link(site, "/a/2", "Silos runtime notes"), Link(site, "/a/3", "Streams runtime notes")], 1);

        for (var i = 0; i < 2; i++)
        {
            Assert.True(frontier.TryTakeNext(out var filler, out _));
            Assert.StartsWith("/a/", filler.AbsolutePath, StringComparison.Ordinal); // "runtime" leads, at first
            frontier.Read(filler, answered: false); // a page that neither answers nor maps further pages
        }

        Assert.True(frontier.TryTakeNext(out var next, out _));
        Assert.Equal("/observability/", next.AbsolutePath); // two misses: "runtime" leads no more — not even to the third
    }

    [Fact]
    public void The_section_a_question_names_in_code_comes_first()
    {
        const string question = "What happens when subprocess.run takes longer than its timeout?";
        var page = PageReader.ReadHtml(new Uri("https://docs.example/subprocess.html"), """
            <html><body><h2>Using the module</h2><dl>
            <dt>subprocess.run(args, *, timeout=None)</dt><dd><p>If the timeout expires, the child process is killed and TimeoutExpired is raised.</p></dd>
            <dt>asyncio.timeout(delay)</dt><dd><p>If a task takes longer than the timeout, it is cancelled: a long running task times out when it takes longer than its timeout.</p></dd>
            </dl></body></html>
            """);

        Assert.Equal(["subprocess.run"], Terms.NamesIn(question));
        Assert.Equal(["--autosquash", "ensure_ascii", "path.mkdir"], Terms.NamesIn("git rebase --autosquash, json ensure_ascii and Path.mkdir on docs.python.org"));
        var lexical = ExtractiveAnswer.Rank([page], Terms.OfQuestion(question), 1);
        var named = ExtractiveAnswer.Rank([page], Terms.OfQuestion(question), 1, Terms.NamesIn(question));
        Assert.StartsWith("asyncio.timeout", lexical[0].Passage.Text, StringComparison.Ordinal); // more of the question's words
        Assert.StartsWith("subprocess.run", named[0].Passage.Text, StringComparison.Ordinal); // the section the question names
    }

    [Fact]
    public void Permalink_marks_of_documentation_generators_are_not_read_as_words()
    {
        var page = PageReader.ReadHtml(new Uri("https://docs.example/functools.html"), """
            <html><body><main><h1>functools<a class="headerlink" href="#functools" title="Permalink">¶</a></h1><dl>
            <dt id="lru"><code>functools.lru_cache(maxsize=128)</code><a class="headerlink" href="#lru">¶</a></dt>
            <dt id="lru2"><code>functools.</code><span class="sig-name"><span class="pre">lru_cache</span></span>(<em class="sig-param"><span class="n">user_function</span></em>, <em><span class="n">typed</span><span class="o">=</span><span class="default_value">False</span></em>)</dt>
            <dd><p>Decorator that saves up to the maxsize most recent calls. See <a href="#cache">the cache</a> and note <a href="#n1">1</a>.</p></dd>
            <h2 id="s"><a href="#s">§</a> Examples <a href="#s" aria-label="link">#</a></h2><p>Fibonacci with a cache.</p>
            </dl></main></body></html>
            """);

        var text = string.Join(" | ", page.Passages.Select(p => p.Heading + ": " + p.Text));
        Assert.DoesNotContain("¶", text);
        Assert.DoesNotContain("§", text);
        Assert.DoesNotContain("#", text);
        Assert.Contains("functools.lru_cache(maxsize=128)", text);
        Assert.Contains("lru_cache(user_function, typed=False)", text); // inline elements run on, as the browser shows them
        Assert.Contains("the cache", text); // a link of words stays
        Assert.Contains("note 1", text);
    }

    [Fact]
    public void A_page_that_only_shares_a_word_teaches_nothing()
    {
        var question = Terms.OfQuestion("what does the etag check prevent when grain state is written");
        var feedback = new ReadingFeedback(question);
        var page = new PageContent
        {
            Url = "https://docs.example/grains", Title = "Grains", Reader = PageReader.HtmlReader,
            Passages = [new Passage("Grains", "A grain is a virtual actor with an identity, behaviour and a lifecycle.")],
        };

        Assert.Empty(feedback.Read(page));
    }

    [Fact]
    public void The_answer_leads_with_the_sentence_that_answers_cited_by_the_page_it_is_on()
    {
        var nav = new PageContent { Url = "https://docs.example/", Title = "Docs", Reader = "html_reader", Passages = [new Passage("", "Welcome to the docs.")], Links = [] };
        var page = PageReader.ReadHtml(new Uri("https://docs.example/git-push.html"), """
            <html><head><title>git-push(1)</title></head><body><h2>OPTIONS</h2><dl>
            <dt>--force-with-lease</dt><dd><p>Usually, git push refuses to update a remote ref that is not an ancestor. This option overrides this restriction if the current value of the remote ref is the expected value.</p></dd>
            </dl></body></html>
            """);
        var question = Terms.OfQuestion("how do I force a push only if the remote ref has the expected value");
        var pages = new[] { nav, page };

        var lead = AnswerLead.Of(ExtractiveAnswer.Rank(pages, question), pages, question)!;

        Assert.Equal("--force-with-lease: This option overrides this restriction if the current value of the remote ref is the expected value. [2]", lead.Text);
        var citation = Assert.Single(lead.Citations);
        Assert.Equal((2, "https://docs.example/git-push.html", "git-push(1)"), (citation.N, citation.Url, citation.Title));
        Assert.Null(AnswerLead.Of(ExtractiveAnswer.Rank(pages, Terms.OfQuestion("kubernetes operators")), pages, Terms.OfQuestion("kubernetes operators")));
        Assert.Equal(["First sentence is here.", "Second one, with e.g. an abbreviation. Short."], AnswerLead.Sentences("First sentence is here. Second one, with e.g. an abbreviation. Short."));
    }

    [Fact]
    public void Asked_for_a_value_the_lead_takes_it_from_the_definition_the_question_names()
    {
        // The sentence that matches the question best names the setting but states no value; the definition states it
        // further on — after a version note that also says "default" and a number, and in a passage of its own.
        var page = PageReader.ReadHtml(new Uri("https://docs.example/config.html"), """
            <html><head><title>Configuration</title></head><body><h2>Variables</h2><dl>
            <dt>pool.loose</dt><dd><p>When there are approximately more than this many loose objects in the pool, the pool compacts them on its own.
            Some commands run this check after their work, so compaction happens in the background of normal use and needs no scheduling at all,
            which keeps a busy pool healthy without anyone looking after it, day after day, on every machine that writes to it often.</p>
            <p>Default value is 6700. Setting this to 0 disables the check.</p><p>Changed in version 2.1: the default was 8000.</p></dd>
            <dt>pool.other</dt><dd><p>Another setting about loose objects in the pool with 3 values.</p></dd>
            <dt>thread.stack([size])</dt><dd><p>Return the stack size used for new threads. The size must be 0 or at least 32,768 bytes (32 KiB); smaller values raise an error.</p></dd>
            </dl></body></html>
            """);
        var pages = new[] { page };

        var question = Terms.OfQuestion("How many loose objects make the pool compact them by default?");
        var lead = AnswerLead.Of(ExtractiveAnswer.Rank(pages, question), pages, question)!;
        Assert.Contains("Default value is 6700.", lead.Text, StringComparison.Ordinal);
        Assert.StartsWith("pool.loose When there are approximately more than this many loose objects", lead.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("8000", lead.Text, StringComparison.Ordinal);

        // "size" asks for a value too (the question's words are stemmed: the value words must be as well).
        var size = Terms.OfQuestion("What is the smallest stack size thread.stack accepts?");
        Assert.Contains("32 KiB", AnswerLead.Of(ExtractiveAnswer.Rank(pages, size), pages, size)!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_definition_term_heads_its_definition_as_a_section_does()
    {
        var page = PageReader.ReadHtml(new Uri("https://docs.example/git-push.html"), """
            <html><body><h2>OPTIONS</h2><dl>
            <dt>--force-with-lease</dt><dd><p>This option overrides this restriction if the current value of the remote ref is the expected value.</p></dd>
            <dt>--atomic</dt><dd><p>Use an atomic transaction on the remote side if available.</p></dd>
            </dl><h2>EXAMPLES</h2><p>Push the current branch.</p></body></html>
            """);

        Assert.Equal(
            [("OPTIONS › --force-with-lease", "--force-with-lease This option overrides this restriction if the current value of the remote ref is the expected value."),
             ("OPTIONS › --atomic", "--atomic Use an atomic transaction on the remote side if available."),
             ("EXAMPLES", "Push the current branch.")],
            page.Passages.Select(p => (p.Heading, p.Text)));
        var best = ExtractiveAnswer.Rank([page], Terms.OfQuestion("how do I force a push only if the remote is what I expect"), 1);
        Assert.StartsWith("--force-with-lease", best[0].Passage.Text);
    }

    [Fact]
    public void A_page_of_many_articles_is_read_whole_and_a_page_of_one_article_is_read_as_it()
    {
        var reference = PageReader.ReadHtml(new Uri("https://docs.example/lists.html"), """
            <html><body><div class="menu"><p>Every module of the library, listed for browsing</p></div>
            <h2>Exports</h2>
            <article class="func"><h4 id="append-1">append(ListOfLists) -> List1</h4><p>Returns a list in which all the sublists have been appended.</p></article>
            <article class="func"><h4 id="seq-2">seq(From, To) -> Seq</h4><p>Returns a sequence of integers that starts with From and contains the successive results.</p></article>
            </body></html>
            """);
        Assert.Contains(reference.Passages, p => p.Heading == "seq(From, To) -> Seq" && p.Text.Contains("sequence of integers"));
        Assert.Contains(reference.Passages, p => p.Heading == "append(ListOfLists) -> List1");

        var post = PageReader.ReadHtml(new Uri("https://blog.example/post.html"), """
            <html><body><div class="sidebar"><p>Other posts and an archive of everything written here</p></div>
            <article><h1>Reminders</h1><p>A reminder survives a restart of the cluster.</p>
            <section class="replies"><article><p>And a timer does not.</p></article></section></article></body></html>
            """);
        Assert.Equal([("Reminders", "A reminder survives a restart of the cluster. And a timer does not.")], post.Passages.Select(p => (p.Heading, p.Text)));
    }

    [Fact]
    public void Terms_in_a_row_name_one_definition_and_a_request_verb_counts_only_where_the_request_starts()
    {
        var page = PageReader.ReadHtml(new Uri("https://docs.example/git-stash.html"), """
            <html><body><h2>OPTIONS</h2><dl><dt>-u</dt><dt>--include-untracked</dt>
            <dd><p>All untracked files are also stashed and then cleaned up.</p></dd></dl></body></html>
            """);

        Assert.Equal([("OPTIONS › -u, --include-untracked", "-u --include-untracked All untracked files are also stashed and then cleaned up.")],
            page.Passages.Select(p => (p.Heading, p.Text)));
        Assert.Equal(["remot", "branch", "prun", "fetch"], Terms.OfQuestion("Research remote branches to prune when fetching"));
        Assert.Equal(Terms.Of("prune"), Terms.Of("pruning")); // a final e goes, so the verb meets its -ing
        Assert.Equal(["note"], Terms.Of("notes")); // … unless that leaves a stop word
        Assert.Equal(Terms.Of("cargo client buffer"), Terms.Of("Cargo's client’s Buffer's")); // a possessive is its word
        Assert.Equal(["opt"], Terms.OfQuestion("fetch options"));
        Assert.Equal(["fetch", "opt"], Terms.OfQuestion("how do I fetch options"));
    }

    [Theory]
    [InlineData("What line width does textwrap.wrap use by default on docs.python.org?", new[] { "lin", "width", "textwrap", "wrap", "use", "default" })]
    [InlineData("How long does sqlite3.connect wait for a lock?", new[] { "long", "sqlite3", "connect", "wait", "lock" })]
    [InlineData("json.dump ensure_ascii in docs.example.io", new[] { "json", "dump", "ensur", "ascii" })]
    public void A_dotted_name_that_is_not_a_site_stays_in_the_question(string question, string[] expected)
    {
        Assert.Equal(expected, Terms.OfQuestion(question));
        Assert.False(DomainShape.IsDomain("textwrap.wrap"));
        Assert.False(DomainShape.IsDomain("Node.js"));
        Assert.True(DomainShape.IsDomain("learn.microsoft.com"));
        Assert.True(DomainShape.IsDomain("docs.python.org"));
        Assert.True(DomainShape.IsDomain("example.de"));
    }

    [Fact]
    public void Bm25_prefers_the_passage_with_the_rarer_terms_and_does_not_reward_length_alone()
    {
        var index = new Bm25();
        index.Add("orleans grains are virtual actors");
        index.Add("reminders are stored in the reminder table");
        index.Add(string.Join(' ', Enumerable.Repeat("orleans grains placement streams", 30)) + " reminder");

        var scores = index.Score(Terms.OfQuestion("where are orleans reminders stored"));

        Assert.True(scores[1] > scores[0] && scores[1] > scores[2], string.Join(", ", scores));
    }
}
