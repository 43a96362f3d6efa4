using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Missions.Tests.Support;

namespace Missions.Tests.Http;

/// <summary>The API describes itself: an OpenAPI document with every endpoint the code maps, and a reference page.</summary>
[Collection(WebFrontendCollection.Name)]
public sealed partial class ApiDocumentTests(WebFrontendFixture web)
{
    /// <summary>Every endpoint the web frontend's code maps (MapGet/MapPost/MapDelete…, under its file's MapGroup), read from the source.</summary>
    private static IEnumerable<(string Method, string Path)> MappedInSource()
    {
        var root = Path.Combine(RepositoryPaths.Root, "src", "WebFrontend");
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")))
        {
            var text = File.ReadAllText(file);
            var group = GroupCall().Match(text) is { Success: true } g ? g.Groups["path"].Value : "";
            foreach (Match map in MapCall().Matches(text))
            {
                var path = (map.Groups["on"].Value == "group" ? group : "") + map.Groups["path"].Value;
                yield return (map.Groups["method"].Value.ToLowerInvariant(), Normalize(path));
            }
        }
    }

    private static string Normalize(string path) => path.Length > 1 ? path.TrimEnd('/') : path;

    [Fact]
    public async Task The_openapi_document_lists_every_mapped_endpoint()
    {
        var mapped = MappedInSource().ToList();
        Assert.True(mapped.Count >= 20, $"the source scan found {mapped.Count} endpoints");

        var document = JsonDocument.Parse(await web.Http.GetStringAsync("openapi/v1.json")).RootElement;
        Assert.Equal("Missions", document.GetProperty("info").GetProperty("title").GetString());
        var paths = document.GetProperty("paths").EnumerateObject().ToDictionary(p => Normalize(p.Name), p => p.Value);
        foreach (var (method, path) in mapped)
        {
            Assert.True(paths.TryGetValue(path, out var operations) && operations.TryGetProperty(method, out _),
                $"{method.ToUpperInvariant()} {path} is mapped but not in the OpenAPI document");
        }
    }

    [Fact]
    public async Task The_reference_page_is_served()
    {
        using var response = await web.Http.GetAsync("api/reference");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Missions API", await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex(@"(?<on>app|group)\.Map(?<method>Get|Post|Delete|Put|Patch)\(\s*""(?<path>[^""]*)""")]
    private static partial Regex MapCall();

    [GeneratedRegex(@"MapGroup\(\s*""(?<path>[^""]*)""")]
    private static partial Regex GroupCall();
}
