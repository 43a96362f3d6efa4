using Microsoft.Extensions.DependencyInjection;
using Missions.Execution;
using Missions.Samples;
using Missions.Tests.Support;

namespace Missions.Tests.Cluster;

/// <summary>The executor example of docs/executors.md, registered as the docs say, runs a chat's mission end to end.</summary>
public sealed class CustomExecutorTests
{
    [Fact]
    public async Task The_url_status_example_checks_a_chats_pages_and_its_answer_comes_back_into_the_chat()
    {
        using var data = new TempDirectory();
        await using var site = await TestWebsite.StartAsync();
        await using var host = await MissionClusterHost.StartAsync(data.Path, services: services =>
        {
            services.AddSingleton(new HttpClient());
            services.AddSingleton<IMissionExecutor, UrlStatusExecutor>();
            services.Configure<ExecutionOptions>(o => o.Executors["check"] = UrlStatusExecutor.ExecutorName);
        });
        var chat = host.Client.GetGrain<IChatSessionGrain>("s-" + Guid.NewGuid().ToString("N"));

        var started = await chat.SendAsync(new ChatRequest { Message = $"check {site.Url("/timers")} and {site.Url("/no-such-page")}" });
        var view = await host.WaitForTerminalAsync(started.MissionId!);

        Assert.Equal(MissionStatus.Completed, view.Status);
        Assert.Equal("1 of 2 pages answered.", view.ExecutionResult!.Answer);
        Assert.Contains("/timers: 200 OK", view.ExecutionResult.FinalAnswer);
        Assert.Contains("/no-such-page: 404 Not Found", view.ExecutionResult.FinalAnswer);
        Assert.Equal(2, view.Timeline.OfType<MissionProgress>().Count()); // a progress line per page, as the whiteboard shows
        Assert.Contains("/timers", site.Requests);
        await Eventually.WaitAsync(() => chat.GetMessagesAsync(null, null, 10),
            page => page.Messages.Any(m => m.ReplyType == ChatResponse.MissionUpdate && m.Text.Contains("1 of 2 pages answered.")),
            TimeSpan.FromSeconds(20), "the mission's answer in the chat");
    }
}
