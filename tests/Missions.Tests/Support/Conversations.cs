using System.Net.Http.Json;
using System.Text.Json;

namespace Missions.Tests.Support;

/// <summary>Conversation ids are the server's: a test asks for one as a client would.</summary>
public static class Conversations
{
    public static async Task<string> NewAsync(HttpClient http)
    {
        using var response = await http.PostAsync("api/conversations", null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST api/conversations → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("session_id").GetString()!;
    }
}
