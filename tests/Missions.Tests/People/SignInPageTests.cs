using System.Text.Json;
using Microsoft.Playwright;
using Missions.Tests.Browser;
using static Microsoft.Playwright.Assertions;

namespace Missions.Tests.People;

/// <summary>A person signs in through the provider in Chromium, chats, sees their mission, and signs out.</summary>
[Collection(SignedInCollection.Name)]
public sealed class SignInPageTests(SignedInFixture fixture) : IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private readonly string _screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_screenshots);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFixture.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    [Fact]
    public async Task A_person_signs_in_through_the_provider_chats_sees_their_mission_and_signs_out()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.BaseAddress.ToString() });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();

        var console = new List<string>();
        page.Console += (_, message) => console.Add(message.Text);
        await page.GotoAsync("/");
        // Not signed in: the page sends the browser to the provider's sign-in form.
        try
        {
            await Expect(page.Locator("#username")).ToBeVisibleAsync();
        }
        catch (PlaywrightException)
        {
            Assert.Fail($"no sign-in form at {page.Url}: {await page.ContentAsync()}\n{string.Join("\n", console)}");
        }
        Assert.StartsWith(fixture.Provider.Issuer, page.Url);
        await page.FillAsync("#username", "alice");
        await page.ClickAsync("#sign-in");

        // Back on the page, signed in.
        await Expect(page.Locator("#who")).ToHaveTextAsync("alice");
        Assert.StartsWith(fixture.BaseAddress.ToString(), page.Url);
        await Expect(page.Locator("#sign-out button")).ToBeVisibleAsync();
        await Expect(page.Locator("#dashboard")).ToBeHiddenAsync(); // alice is no operator

        await page.FillAsync("#input", "hello there");
        await page.PressAsync("#input", "Enter");
        await Expect(page.Locator("#messages li.assistant").Last).ToContainTextAsync("Hello!");

        var url = fixture.Site.Url("/reminders");
        await page.FillAsync("#input", $"fetch {url} up to 1 pages");
        await page.PressAsync("#input", "Enter");
        var card = page.Locator("#cards li", new PageLocatorOptions { HasText = url });
        await Expect(card.Locator(".badge")).ToHaveTextAsync("completed", new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_screenshots, "signed-in.png"), FullPage = true });

        // The cookie alone changes nothing: a change needs the page's antiforgery token too.
        var forged = await page.APIRequest.PostAsync("/chat/integrated", new APIRequestContextOptions { DataObject = new { message = "fetch https://example.org/forged" } });
        Assert.Equal(403, forged.Status);
        Assert.Equal("Missing or stale page token", JsonDocument.Parse(await forged.TextAsync()).RootElement.GetProperty("title").GetString());
        var me = JsonDocument.Parse(await (await page.APIRequest.GetAsync("/api/me")).TextAsync()).RootElement;
        var sent = await page.APIRequest.PostAsync("/chat/integrated", new APIRequestContextOptions
        {
            DataObject = new { message = "hello again" },
            Headers = new Dictionary<string, string> { [me.GetProperty("antiforgery_header").GetString()!] = me.GetProperty("antiforgery").GetString()! },
        });
        Assert.Equal(200, sent.Status);

        // The keys that sign the cookie are kept with the data: a restart signs nobody out.
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(fixture.DataDirectory, "keys"), "*.xml"));
        await fixture.RestartAsync();
        await page.ReloadAsync();
        await Expect(page.Locator("#who")).ToHaveTextAsync("alice");
        await Expect(page.Locator("#messages li.assistant", new() { HasText = "Hello!" }).First).ToBeVisibleAsync();

        // Signing out ends the session here and at the provider: the page asks for a sign-in again.
        var visited = new List<string>();
        page.Response += (_, response) => visited.Add($"{response.Status} {response.Request.Method} {response.Url} → {response.Headers.GetValueOrDefault("location")}");
        await page.ClickAsync("#sign-out button");
        try
        {
            await Expect(page.Locator("#username")).ToBeVisibleAsync();
        }
        catch (PlaywrightException)
        {
            Assert.Fail($"not signed out at {page.Url}:\n{string.Join("\n", visited)}");
        }
        var after = await page.APIRequest.GetAsync(fixture.BaseAddress + "api/me");
        Assert.Equal(401, after.Status);
        await context.CloseAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
