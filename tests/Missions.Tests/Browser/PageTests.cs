using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using Missions.Tests.Support;

namespace Missions.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class PageTests(BrowserFixture fixture)
{
    private static async Task SendAsync(IPage page, string message)
    {
        await page.FillAsync("#input", message);
        await page.PressAsync("#input", "Enter");
    }

    /// <summary>Sends a message the assistant answers in words, waits for its answer; the conversation's id.</summary>
    private static async Task<string> SayAsync(IPage page, string message)
    {
        await SendAsync(page, message);
        var said = page.Locator("#messages li.user[data-seq]", new() { HasText = message });
        // Up to 15 s: the first message of a run meets a cold server while the other collections start theirs (seen
        // once in CI: no answer within the default 5 s, the page showing only the message).
        await Expect(said.Locator("xpath=following-sibling::li[1][contains(@class, 'assistant')]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        return SessionOf(page.Url);
    }

    private static ILocator Card(IPage page, string text) => page.Locator("#cards li", new PageLocatorOptions { HasText = text });

    [Fact]
    public async Task Request_becomes_a_card_that_completes_and_its_detail_shows_the_answer()
    {
        var page = await fixture.OpenAsync();
        var url = fixture.Web.Site.Url("/reminders");

        await SendAsync(page, $"research reminders on {url}");

        await Expect(page.Locator("#messages li.assistant", new() { HasText = "On it — mission" })).ToBeVisibleAsync();
        var card = Card(page, url);
        await Expect(card).ToBeVisibleAsync(new() { Timeout = 5_000 });
        await Expect(card.Locator(".badge")).ToHaveTextAsync("completed", new() { Timeout = 30_000 });
        await Expect(page.Locator("#messages li.assistant", new() { HasText = "completed." })).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await fixture.ScreenshotAsync(page, "completed-card");

        await Expect(card.Locator(".lead")).ToContainTextAsync("[", new() { Timeout = 10_000 }); // the answer's first sentences, on the card
        await card.ClickAsync();
        // The answer first, its citation a link to the page it quotes.
        await Expect(page.Locator("#detail-lead")).ToBeVisibleAsync();
        await Expect(page.Locator("#detail-lead a.citation").First).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(fixture.Web.Site.Url("/"))));
        await Expect(page.Locator("#detail-answer")).ToContainTextAsync("Reminders Are Durable");
        await Expect(page.Locator("#detail-sources a").First).ToHaveAttributeAsync("href", url);
        // created, queued, active, a line per page read (/reminders and its two links), completed
        await Expect(page.Locator("#detail-timeline li")).ToHaveCountAsync(7);
        await Expect(page.Locator("#detail-timeline li").Nth(3)).ToContainTextAsync("read 1 of 5 pages: Reminders Are Durable");
        await fixture.ScreenshotAsync(page, "mission-detail");
    }

    [Fact]
    public async Task Conversational_message_gets_a_reply_and_no_card()
    {
        var page = await fixture.OpenAsync();
        // Counted on the server: the page may still be loading its board when it is counted there.
        var missions = (await fixture.Web.GetJsonAsync("api/whiteboard?limit=1")).GetProperty("total").GetInt32();

        await SendAsync(page, "hello there");

        await Expect(page.Locator("#messages li.assistant").Last).ToContainTextAsync("Hello!");
        Assert.Equal(missions, (await fixture.Web.GetJsonAsync("api/whiteboard?limit=1")).GetProperty("total").GetInt32());
        await Expect(page.Locator("#cards li")).ToHaveCountAsync(missions);
    }

    [Fact]
    public async Task A_proposal_is_approved_from_the_chat_and_another_rejected_from_its_detail()
    {
        var page = await fixture.OpenAsync();
        var url = fixture.Web.Site.Url("/timers") + "?proposal=" + Guid.NewGuid().ToString("N")[..8];

        await SendAsync(page, $"propose to research timers on {url}");

        var proposal = page.Locator("#messages li.assistant", new() { HasText = "Here is the plan" });
        await Expect(proposal).ToBeVisibleAsync();
        var card = Card(page, url);
        await Expect(card.Locator(".badge")).ToHaveTextAsync("proposed", new() { Timeout = 5_000 });
        await fixture.ScreenshotAsync(page, "proposal");
        await proposal.Locator("button.decide.approve").ClickAsync();
        await Expect(proposal).ToContainTextAsync("Approved — mission");
        await Expect(proposal.Locator("button.decide")).ToHaveCountAsync(0);
        await Expect(card.Locator(".badge")).ToHaveTextAsync("completed", new() { Timeout = 30_000 });

        var other = fixture.Web.Site.Url("/timers") + "?proposal=" + Guid.NewGuid().ToString("N")[..8];
        await SendAsync(page, $"draft a mission to fetch {other}");
        var second = Card(page, other);
        await Expect(second.Locator(".badge")).ToHaveTextAsync("proposed", new() { Timeout = 5_000 });
        await second.ClickAsync();
        await Expect(page.Locator("#approve")).ToBeVisibleAsync();
        await page.ClickAsync("#reject");
        await Expect(second.Locator(".badge")).ToHaveTextAsync("cancelled", new() { Timeout = 10_000 });
        await Expect(page.Locator("#approve")).ToBeHiddenAsync();
        await Expect(page.Locator("#detail-timeline li").Last).ToContainTextAsync("rejected");
    }

    [Fact]
    public async Task A_schedule_is_listed_with_its_next_run_then_paused_and_deleted_from_the_page()
    {
        var page = await fixture.OpenAsync();
        var url = fixture.Web.Site.Url("/timers") + "?schedule=" + Guid.NewGuid().ToString("N")[..8];

        await SendAsync(page, $"check {url} every 10 minutes");

        await Expect(page.Locator("#messages li.assistant", new() { HasText = "Scheduled — sch-" })).ToBeVisibleAsync();
        var schedule = page.Locator("#schedule-list li", new() { HasText = url });
        await Expect(schedule).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Expect(schedule.Locator(".meta")).ToContainTextAsync("every 10 minutes · next run in");
        await Expect(schedule.Locator(".meta")).ToContainTextAsync("yours");
        await fixture.ScreenshotAsync(page, "schedule");

        await schedule.Locator("button.schedule-pause").ClickAsync();
        await Expect(schedule.Locator(".meta")).ToContainTextAsync("paused");
        await Expect(schedule.Locator("button.schedule-resume")).ToBeVisibleAsync();
        await schedule.Locator("button.schedule-delete").ClickAsync();
        await Expect(schedule).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_missions_card_in_the_chat_follows_it_live_cancels_it_and_gives_way_to_its_answer()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var page = await fixture.OpenAsync();

        await SendAsync(page, $"fetch {fixture.Web.Site.Url("/timers")}?card={tag} {fixture.Web.Site.Url("/slow")}?card={tag} up to 2 pages within 2 minutes");

        var card = page.Locator("#messages li.assistant", new() { HasText = "On it — mission" }).Locator(".chat-card");
        await Expect(card.Locator(".badge")).ToHaveTextAsync("active", new() { Timeout = 10_000 });
        await Expect(card).ToContainTextAsync("read 1 of 2 pages", new() { Timeout = 10_000 });
        await Expect(card).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\d+ (s|min) left"));
        await page.ReloadAsync(); // the same card from the conversation's history
        await Expect(card).ToContainTextAsync("read 1 of 2 pages");
        await fixture.ScreenshotAsync(page, "chat-card");

        await card.Locator("button.cancel").ClickAsync();
        await Expect(page.Locator("#messages li.assistant", new() { HasText = "cancelled" })).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(page.Locator("#messages .chat-card")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Running_mission_is_cancelled_from_the_page()
    {
        var page = await fixture.OpenAsync();
        var url = fixture.Web.Site.Url("/slow");

        // /timers is read at once, then the slow page holds the run: the card shows its progress live.
        await SendAsync(page, $"fetch {fixture.Web.Site.Url("/timers")} {url} up to 2 pages within 2 minutes");
        var card = Card(page, url);
        await Expect(card.Locator(".badge")).ToHaveTextAsync("active", new() { Timeout = 10_000 });
        await Expect(card.Locator(".meta")).ToContainTextAsync("read 1 of 2 pages", new() { Timeout = 10_000 });
        await card.ClickAsync();
        await fixture.ScreenshotAsync(page, "running");
        await page.ClickAsync("#cancel");

        await Expect(card.Locator(".badge")).ToHaveTextAsync("cancelled", new() { Timeout = 10_000 });
        await Expect(page.Locator("#retry")).ToBeVisibleAsync();
        await Expect(page.Locator("#detail-error")).ToHaveTextAsync("The mission was cancelled; the result holds what it found until then.");
        await Expect(page.Locator("#detail-answer")).ToContainTextAsync("Partial answer: the mission was cancelled after reading 1 page");
        await Expect(page.Locator("#detail-answer")).ToContainTextAsync("Timers live only while their grain is active");
        await fixture.ScreenshotAsync(page, "cancelled");
    }

    [Fact]
    public async Task Markup_in_a_message_shows_as_text()
    {
        var page = await fixture.OpenAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        const string payload = "<img src=x onerror=alert(1)><script>alert(2)</script> fetch";

        await SendAsync(page, $"{payload} {fixture.Web.Site.Url("/timers")}");

        var mine = page.Locator("#messages li.user").Last;
        await Expect(mine).ToContainTextAsync("<img src=x onerror=alert(1)>");
        Assert.Equal(0, await page.Locator("#messages img, #cards img, #messages script").CountAsync());
        await Expect(Card(page, "<script>alert(2)</script>")).ToBeVisibleAsync();
        Assert.Equal(0, dialogs);
        await fixture.ScreenshotAsync(page, "markup-as-text");
    }

    [Fact]
    public async Task An_answer_renders_its_markdown_with_linked_citations_and_hostile_text_from_the_page_stays_inert()
    {
        var page = await fixture.OpenAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        var url = fixture.Web.Site.Url("/markup");

        await SendAsync(page, $"research markup reminders on {url} up to 1 pages");

        var answer = page.Locator("#messages li.assistant", new() { HasText = "completed." });
        await Expect(answer).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await AssertRenderedAsync(page, answer, url);
        await answer.Locator("a.cite").First.FocusAsync(); // the quoted words show on focus
        await fixture.ScreenshotAsync(page, "rendered-answer");

        // The same from the conversation's history as from the live stream.
        await page.ReloadAsync();
        answer = page.Locator("#messages li.assistant", new() { HasText = "completed." });
        await Expect(answer).ToBeVisibleAsync();
        await AssertRenderedAsync(page, answer, url);
        Assert.Equal(0, dialogs);
    }

    private static async Task AssertRenderedAsync(IPage page, ILocator answer, string url)
    {
        await Expect(answer.Locator(".md strong").First).ToHaveTextAsync("strong words");
        var cite = answer.Locator("a.cite").First;
        await Expect(cite).ToHaveAttributeAsync("href", url);
        await Expect(cite).ToHaveAttributeAsync("rel", "noopener noreferrer nofollow");
        await Expect(cite).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex("Markup"));
        await Expect(answer).ToContainTextAsync("<img src=x onerror=alert(2)>"); // shown as the words it is
        Assert.Equal(0, await page.Locator("#messages img, #messages script, #messages iframe, #messages style, #messages [style]").CountAsync());
        var hrefs = await page.Locator("#messages .md a[href]").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.NotEmpty(hrefs);
        Assert.All(hrefs, h => Assert.Matches("^https?://", h));
        var handlers = await page.Locator("#messages .md *").EvaluateAllAsync<int>(
            "nodes => nodes.filter(n => [...n.attributes].some(a => a.name.startsWith('on'))).length");
        Assert.Equal(0, handlers);
    }

    [Fact]
    public async Task Conversations_are_listed_named_in_the_url_moved_between_with_back_and_forward_and_kept_by_the_server()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var page = await fixture.OpenAsync();
        var first = await SayAsync(page, $"hello first {tag}");

        await page.ClickAsync("#new-chat");
        await Expect(page.Locator("#messages li")).ToHaveCountAsync(0);
        var second = SessionOf(page.Url);
        Assert.NotEqual(first, second);
        await SayAsync(page, $"hello second {tag}");
        await Expect(page.Locator("#conversation-title")).ToHaveTextAsync($"hello second {tag}");

        await page.GoBackAsync();
        await Expect(page.Locator("#messages li.user .text")).ToHaveTextAsync([$"hello first {tag}"]);
        Assert.Equal(first, SessionOf(page.Url));
        await page.GoForwardAsync();
        await Expect(page.Locator("#messages li.user .text")).ToHaveTextAsync([$"hello second {tag}"]);

        // Another browser of the same person lists both, and opens one from the list.
        var other = await fixture.OpenAsync();
        await other.ClickAsync("#conversations summary");
        var listed = other.Locator("#conversation-list a", new() { HasText = $"hello first {tag}" });
        await Expect(listed).ToBeVisibleAsync();
        await Expect(other.Locator("#conversation-list a", new() { HasText = $"hello second {tag}" })).ToBeVisibleAsync();
        await fixture.ScreenshotAsync(other, "conversations");
        await listed.ClickAsync();
        await Expect(other.Locator("#messages li.user .text")).ToHaveTextAsync([$"hello first {tag}"]);
        Assert.Equal(first, SessionOf(other.Url));
        // A link to it opens it.
        var linked = await fixture.OpenAsync();
        await linked.GotoAsync($"/?session={second}");
        await Expect(linked.Locator("#messages li.user .text")).ToHaveTextAsync([$"hello second {tag}"]);
    }

    [Fact]
    public async Task A_conversation_is_renamed_in_place_archived_and_restored_from_the_list()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var page = await fixture.OpenAsync();
        await SayAsync(page, $"hello to rename {tag}");
        await page.ClickAsync("#conversations summary");
        var item = page.Locator("#conversation-list li", new() { HasText = $"hello to rename {tag}" });

        await item.Locator("button.rename").ClickAsync();
        // The list is refreshed while the person types (the list's opening, another browser, the half-minute refresh):
        // the field stays.
        await page.EvaluateAsync("loadConversations()");
        await Expect(page.Locator("#conversation-list .title-field")).ToBeFocusedAsync();
        await page.FillAsync("#conversation-list .title-field", $"Named {tag}");
        await page.PressAsync("#conversation-list .title-field", "Enter");
        var named = page.Locator("#conversation-list li", new() { HasText = $"Named {tag}" });
        await Expect(named).ToBeVisibleAsync();
        await Expect(page.Locator("#conversation-title")).ToHaveTextAsync($"Named {tag}");
        await Expect(page.Locator("#messages li.note")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($"^Renamed “Named {tag}”"));
        await fixture.ScreenshotAsync(page, "conversation-renamed");

        await named.Locator("button.archive").ClickAsync();
        await Expect(named).ToHaveCountAsync(0);
        await page.ClickAsync("#show-archived");
        var archived = page.Locator("#conversation-list li", new() { HasText = $"Named {tag}" });
        await Expect(archived.Locator("button.archive")).ToHaveTextAsync("Restore");
        await archived.Locator("button.archive").ClickAsync();
        await Expect(archived).ToHaveCountAsync(0);
        await page.ClickAsync("#show-archived");
        await Expect(page.Locator("#conversation-list li", new() { HasText = $"Named {tag}" })).ToBeVisibleAsync();
        await Expect(page.Locator("#messages li.note")).ToHaveCountAsync(3); // renamed, archived, restored
    }

    [Fact]
    public async Task A_result_that_came_in_while_another_conversation_was_open_is_new_in_every_browser_until_seen_in_one()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var page = await fixture.OpenAsync();
        var first = await SayAsync(page, $"hello unread {tag}");
        await page.ClickAsync("#new-chat");
        await SayAsync(page, $"hello other {tag}");

        // Another tab (a script) asks for work in the first conversation; its result comes in there.
        var mission = (await fixture.Web.PostChatAsync(new { session_id = first, message = $"fetch {fixture.Web.Site.Url("/timers")}?unread={tag} up to 1 pages" }))
            .GetProperty("mission_id").GetString()!;
        await fixture.Web.WaitForTerminalAsync(mission);
        // Its outcome is posted into the conversation just after the mission ends: new once that line is there.
        await Eventually.WaitAsync(() => fixture.Web.GetJsonAsync("api/conversations"),
            body => body.GetProperty("conversations").EnumerateArray().Any(c => c.GetProperty("session_id").GetString() == first && c.GetProperty("unread").GetBoolean()),
            TimeSpan.FromSeconds(20), "the outcome to come in");

        await page.ClickAsync("#conversations summary");
        var moved = page.Locator("#conversation-list li", new() { HasText = $"hello unread {tag}" });
        await Expect(moved.Locator(".unread")).ToHaveTextAsync("new", new() { Timeout = 10_000 });
        await Expect(page.Locator("#conversation-list li", new() { HasText = $"hello other {tag}" }).Locator(".unread")).ToHaveCountAsync(0);
        // Another browser of the same person sees it too: the server keeps what the person has seen.
        var other = await fixture.OpenAsync();
        await other.ClickAsync("#conversations summary");
        var there = other.Locator("#conversation-list li", new() { HasText = $"hello unread {tag}" });
        await Expect(there.Locator(".unread")).ToHaveTextAsync("new");
        await fixture.ScreenshotAsync(other, "unread");

        // Seen in the first browser: new in neither.
        await moved.Locator("a").ClickAsync();
        await Expect(page.Locator("#messages li.assistant", new() { HasText = "completed." })).ToBeVisibleAsync();
        await page.ClickAsync("#conversations summary");
        await Expect(page.Locator("#conversation-list li", new() { HasText = $"hello unread {tag}" }).Locator(".unread")).ToHaveCountAsync(0);
        await Eventually.WaitAsync(async () =>
        {
            await other.ClickAsync("#conversations summary"); // closed, then opened again: the list is read again
            await other.ClickAsync("#conversations summary");
            return await there.Locator(".unread").CountAsync();
        }, count => count == 0, TimeSpan.FromSeconds(15), "the other browser to see it read");
        Assert.DoesNotContain(await page.Locator("#messages li").AllTextContentsAsync(), text => text.Contains("Read through"));
    }

    private static string SessionOf(string url) =>
        System.Web.HttpUtility.ParseQueryString(new Uri(url).Query)["session"] ?? throw new Xunit.Sdk.XunitException($"no session in {url}");

    [Fact]
    public async Task A_mission_has_a_permalink_that_opens_its_detail_and_escape_closes_it()
    {
        var url = fixture.Web.Site.Url("/timers") + "?permalink=" + Guid.NewGuid().ToString("N")[..8];
        var answer = await fixture.Web.PostChatAsync(new { message = $"fetch {url} up to 1 pages" });
        var mission = answer.GetProperty("mission_id").GetString()!;
        var page = await fixture.OpenAsync();

        await page.GotoAsync($"/missions/{mission}");

        await Expect(page.Locator("#detail")).ToBeVisibleAsync();
        await Expect(page.Locator("#detail-meta")).ToContainTextAsync(mission);
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#detail")).ToBeHiddenAsync();
        Assert.Equal("/", new Uri(page.Url).AbsolutePath);
        // A card opened from the board gets the same address.
        await Card(page, url).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/missions/{mission}\\?session="));
        // The filter shows how many missions each status has.
        await Expect(page.Locator("#status-filter option[value=completed]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Completed \(\d+\)$"));
    }

    [Fact]
    public async Task The_whiteboard_finds_missions_by_words_an_ids_start_and_dates()
    {
        var tag = "zq" + Guid.NewGuid().ToString("N")[..8];
        var first = fixture.Web.Site.Url("/timers") + "?find=" + tag + "first";
        var second = fixture.Web.Site.Url("/timers") + "?find=" + tag + "second";
        await fixture.Web.PostChatAsync(new { message = $"fetch {first} up to 1 pages" });
        var secondId = (await fixture.Web.PostChatAsync(new { message = $"fetch {second} up to 1 pages" })).GetProperty("mission_id").GetString()!;
        // The search index takes missions in rounds of a tenth of a second: both are in it before the page asks.
        await Eventually.WaitAsync(() => fixture.Web.GetJsonAsync($"api/whiteboard?q={tag}"), body => body.GetProperty("missions").GetArrayLength() == 2,
            TimeSpan.FromSeconds(20), "both missions to be searchable");
        var page = await fixture.OpenAsync();

        // A word's start finds both, a whole word one; an id's first characters find its mission.
        await page.FillAsync("#search", tag);
        await Expect(page.Locator("#cards li")).ToHaveCountAsync(2);
        await page.FillAsync("#search", tag + "first");
        await Expect(page.Locator("#cards li")).ToHaveCountAsync(1);
        await Expect(Card(page, first)).ToBeVisibleAsync();
        await fixture.ScreenshotAsync(page, "search");
        await page.FillAsync("#search", secondId[..8]);
        await Expect(page.Locator("#cards li")).ToHaveCountAsync(1);
        await Expect(Card(page, second)).ToBeVisibleAsync();

        // Dates: made today, not before 2000; nothing found says so.
        await page.FillAsync("#search", tag);
        await page.FillAsync("#search-from", DateTime.Now.ToString("yyyy-MM-dd"));
        await Expect(page.Locator("#cards li")).ToHaveCountAsync(2);
        await page.FillAsync("#search-from", "");
        await page.FillAsync("#search-to", "2000-01-01");
        await Expect(page.Locator("#cards li")).ToHaveCountAsync(0);
        await Expect(page.Locator("#search-note")).ToContainTextAsync($"No mission matches “{tag}”");
        await page.FillAsync("#search-to", "");

        // Escape clears the search: the whole board again.
        await page.FocusAsync("#search");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#search")).ToHaveValueAsync("");
        await Expect(page.Locator("#search-note")).ToBeHiddenAsync();
        await Expect(Card(page, first)).ToBeVisibleAsync();
        await Expect(Card(page, second)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_load_that_fails_says_so_and_what_to_do_and_the_next_one_clears_it()
    {
        var page = await fixture.OpenAsync();
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
        await page.RouteAsync("**/api/whiteboard?*", route => route.FulfillAsync(new()
        {
            Status = 503, ContentType = "application/problem+json",
            Body = """{"title":"Service unavailable","status":503,"detail":"The store is unavailable; try again in a moment."}""",
        }));
        await page.SelectOptionAsync("#status-filter", "completed");
        await Expect(page.Locator("#problem")).ToContainTextAsync("The store is unavailable; try again in a moment.");
        await fixture.ScreenshotAsync(page, "load-failed");

        await page.UnrouteAllAsync();
        await page.SelectOptionAsync("#status-filter", "");
        await Expect(page.Locator("#problem")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task A_message_whose_answer_was_lost_is_sent_again_by_itself_and_taken_once()
    {
        // The server takes the first send, but its answer is lost (a gateway that froze after the work was done: the web
        // frontend answers 503 with Retry-After); the page sends it again under the same id and the server takes it once.
        var tag = Guid.NewGuid().ToString("N")[..6];
        var page = await fixture.OpenAsync();
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
        var sends = new System.Collections.Concurrent.ConcurrentQueue<string>(); // written by Playwright's handler, read here
        await page.RouteAsync("**/chat/integrated", async route =>
        {
            sends.Enqueue(route.Request.PostData ?? "");
            var taken = await route.FetchAsync();
            if (sends.Count == 1 && taken.Status == 200)
            {
                await route.FulfillAsync(new()
                {
                    Status = 503, ContentType = "application/problem+json", Headers = new Dictionary<string, string> { ["Retry-After"] = "1" },
                    Body = """{"title":"Part of the service is not answering","status":503,"detail":"Part of the service is not answering; try again in a few seconds."}""",
                });
                return;
            }
            await route.FulfillAsync(new() { Response = taken });
        });
        await SendAsync(page, $"hello again {tag}");
        var said = page.Locator("#messages li.user[data-seq]", new() { HasText = $"hello again {tag}" });
        await Expect(said.Locator("xpath=following-sibling::li[1][contains(@class, 'assistant')]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(page.Locator("#chat-error")).ToBeHiddenAsync();
        await Eventually.WaitAsync(() => sends.Count == 2, TimeSpan.FromSeconds(10), "the message sent again");
        Assert.Single(sends.Distinct()); // the same message under the same client_message_id
        await page.ReloadAsync();
        await Expect(page.Locator("#messages li.user", new() { HasText = $"hello again {tag}" })).ToHaveCountAsync(1);
    }

    [Theory]
    [InlineData(1280, 860, "desktop")]
    [InlineData(390, 844, "phone")]
    public async Task Axe_finds_nothing_with_the_conversations_open_a_rendered_cited_answer_and_a_missions_detail(int width, int height, string name)
    {
        var page = await fixture.OpenAsync(width, height);
        var url = fixture.Web.Site.Url("/markup") + "?axe=" + name;
        await SendAsync(page, $"research markup reminders on {url} up to 1 pages");
        await Expect(page.Locator("#messages li.assistant", new() { HasText = "completed." }).Locator("a.cite").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.ClickAsync("#conversations summary");
        await Card(page, url).ClickAsync();
        await Expect(page.Locator("#detail")).ToBeVisibleAsync();

        var results = await page.RunAxe();

        await fixture.ScreenshotAsync(page, "axe-" + name);
        Assert.True(results.Violations.Length == 0, string.Join("\n", results.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(" | ", v.Nodes.Take(5).Select(n => n.Html + " " + string.Join("; ", n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message))))}")));
    }

    [Fact]
    public async Task Reload_keeps_the_conversation()
    {
        var page = await fixture.OpenAsync();
        await SendAsync(page, "what can you do?");
        await Expect(page.Locator("#messages li.assistant").Last).ToContainTextAsync("I run missions");

        await page.ReloadAsync();

        await Expect(page.Locator("#messages li.user .text")).ToHaveTextAsync(["what can you do?"]);
        await Expect(page.Locator("#messages li.assistant").Last).ToContainTextAsync("I run missions");
    }

    [Fact]
    public async Task A_long_conversation_opens_on_its_last_page_and_shows_earlier_messages_on_request()
    {
        var session = await fixture.Web.NewSessionAsync();
        for (var i = 1; i <= 55; i++)
        {
            await fixture.Web.PostChatAsync(new { session_id = session, message = $"hello {i}" }); // 110 messages
        }
        var page = await fixture.OpenAsync();

        await page.GotoAsync($"/?session={session}");

        await Expect(page.Locator("#messages li")).ToHaveCountAsync(100);
        await Expect(page.Locator("#messages li.user .text").First).ToHaveTextAsync("hello 6");
        await page.ClickAsync("#earlier");
        await Expect(page.Locator("#messages li")).ToHaveCountAsync(110);
        await Expect(page.Locator("#messages li.user .text").First).ToHaveTextAsync("hello 1");
        await Expect(page.Locator("#earlier")).ToBeHiddenAsync();
        await SendAsync(page, "thanks");
        await Expect(page.Locator("#messages li.assistant .md").Last).ToHaveTextAsync("You're welcome.");
        await Expect(page.Locator("#messages li")).ToHaveCountAsync(112);
    }

    [Fact]
    public async Task The_queue_figures_follow_the_events_at_most_once_a_second_not_once_an_event()
    {
        var page = await fixture.OpenAsync();
        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
        var queueRequests = 0;
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/api/queue"))
            {
                Interlocked.Increment(ref queueRequests);
            }
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var url = fixture.Web.Site.Url("/faq/reminder-persistence");
        await SendAsync(page, $"research where reminders live on {url}");

        // Several events of this mission alone (created, queued, active, a page each, completed), and others' too.
        await Expect(Card(page, "where reminders live").Locator(".badge")).ToHaveTextAsync("completed", new() { Timeout = 30_000 });
        await page.WaitForTimeoutAsync(1_500); // the last figures' request
        var seconds = clock.Elapsed.TotalSeconds;

        Assert.InRange(queueRequests, 1, (int)Math.Ceiling(seconds) + 1);
        await Expect(page.Locator("#queue")).ToContainTextAsync("queue:");
    }

    [Fact]
    public async Task Status_command_lists_the_chats_missions_without_starting_one()
    {
        var page = await fixture.OpenAsync(width: 390, height: 844);
        await SendAsync(page, $"fetch {fixture.Web.Site.Url("/deep")}");
        await Expect(Card(page, "/deep").Locator(".badge")).ToHaveTextAsync("completed", new() { Timeout = 30_000 });
        var cards = await page.Locator("#cards li").CountAsync();

        await SendAsync(page, "status");

        await Expect(page.Locator("#messages li.assistant").Last).ToContainTextAsync("completed: fetch");
        Assert.Equal(cards, await page.Locator("#cards li").CountAsync());
        await fixture.ScreenshotAsync(page, "phone-status");
    }
}
