using System.Net.Http.Json;
using System.Text.Json;

namespace Missions.Tests.Support;

/// <summary>Small JSON helpers over a client.</summary>
public static class HttpJson
{
    public static async Task<JsonElement> PostChatAsync(this HttpClient http, object body)
    {
        using var response = await http.PostAsJsonAsync("chat/integrated", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The status and ProblemDetails title of a request (the body must be a problem when it failed).</summary>
    public static async Task<(System.Net.HttpStatusCode Status, string? Title)> SendForStatusAsync(this HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        string? title = null;
        if (!response.IsSuccessStatusCode)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            title = JsonDocument.Parse(text).RootElement.GetProperty("title").GetString();
        }
        return (response.StatusCode, title);
    }
}
