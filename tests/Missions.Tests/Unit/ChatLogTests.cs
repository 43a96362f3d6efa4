using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Missions.Tests.Support;

namespace Missions.Tests.Unit;

/// <summary>The embedded chat store: a conversation's lines are fenced by its version, as a mission's are.</summary>
public sealed class ChatLogTests : IDisposable
{
    private readonly TempDirectory _data = new();

    private ChatLog Open() => new(Options.Create(new MissionsOptions { DataDirectory = _data.Path }), NullLogger<ChatLog>.Instance);

    private static ChatMessage Message(string session, string text) =>
        new() { SessionId = session, Role = ChatMessage.UserRole, Text = text, Timestamp = DateTime.UtcNow };

    [Fact]
    public async Task An_append_at_a_stale_version_writes_nothing_and_says_so()
    {
        await using (var log = Open())
        {
            Assert.True(await log.AppendAsync("s1", [Message("s1", "a"), Message("s1", "b")], 0));
            Assert.False(await log.AppendAsync("s1", [Message("s1", "late")], 1));
            Assert.False(await log.AppendAsync("s1", [Message("s1", "again")], 0));
            Assert.True(await log.AppendAsync("s1", [Message("s1", "c")], 2));
            await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync("s1", [Message("s2", "not mine")], 3));
        }
        await using var reopened = Open();
        var lines = await reopened.ReadStreamAsync("s1");
        Assert.Equal(["a", "b", "c"], lines.Select(m => m.Text));
        Assert.Equal([1, 2, 3], lines.Select(m => m.Seq)); // the store numbers them
    }

    [Fact]
    public async Task Of_appends_racing_at_one_version_exactly_one_lands()
    {
        await using var log = Open();
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => log.AppendAsync("s1", [Message("s1", $"m{i}")], 0)));
        Assert.Single(results, won => won);
        Assert.Single(await log.ReadStreamAsync("s1"));
    }

    public void Dispose() => _data.Dispose();
}
