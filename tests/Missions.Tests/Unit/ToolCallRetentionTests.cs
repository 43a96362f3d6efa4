using Missions.Research;

namespace Missions.Tests.Unit;

/// <summary>The kept tool calls do not grow for ever.</summary>
public sealed class ToolCallRetentionTests
{
    [Fact]
    public async Task Kept_fetches_older_than_the_retention_are_swept_whatever_became_of_their_mission()
    {
        using var data = new Support.TempDirectory();
        var store = new ToolCallStore(Microsoft.Extensions.Options.Options.Create(new MissionsOptions { DataDirectory = data.Path }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ToolCallStore>.Instance);
        var page = new PageContent { Url = "https://example.org/", Title = "t" };
        await store.PutAsync("old-mission", ToolCallStore.KeyOf("old-mission", "http_fetch", "x"), page, CancellationToken.None);
        await store.PutAsync("new-mission", ToolCallStore.KeyOf("new-mission", "http_fetch", "x"), page, CancellationToken.None);
        var old = Path.Combine(data.Path, ToolCallStore.DirectoryName, "old-mission");
        Directory.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-2));

        var swept = store.SweepOlderThan(TimeSpan.FromHours(24));

        Assert.Equal(1, swept);
        Assert.False(Directory.Exists(old));
        Assert.NotNull(await store.TryGetAsync("new-mission", ToolCallStore.KeyOf("new-mission", "http_fetch", "x"), CancellationToken.None));
    }
}
