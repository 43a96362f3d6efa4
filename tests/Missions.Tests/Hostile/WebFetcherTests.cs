using System.Diagnostics;
using Missions.Execution;
using Missions.Research;
using Missions.Tests.Support;

namespace Missions.Tests.Hostile;

/// <summary>The agent's HTTP against the hostile site directly: what it reads is bounded after decompression.</summary>
public sealed class WebFetcherTests
{
    [Fact]
    public async Task A_gzip_bomb_is_read_up_to_the_size_cap_of_decompressed_text_and_no_further()
    {
        await using var site = await HostileWebsite.StartAsync();
        var options = new ExecutionOptions { AllowPrivateNetworks = true, PolitenessDelayMilliseconds = 0 };
        using var fetcher = new WebFetcher(options);

        var clock = Stopwatch.StartNew();
        var document = await fetcher.GetAsync(new Uri(site.Url("/bomb")), _ => Task.FromResult<string?>(null), _ => TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(options.MaxResponseBytes, document.Body!.Length); // one byte a character: 'a' × the cap, of 1 GiB sent
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
