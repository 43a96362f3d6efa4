using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Missions.Tests.Http;

/// <summary>The chat endpoint's reader against random and adversarial bodies: always a quick answer, never a 5xx.</summary>
[Collection(WebFrontendCollection.Name)]
public sealed class RequestFuzzTests(WebFrontendFixture web)
{
    public static IEnumerable<object[]> Bodies()
    {
        yield return [""];
        yield return ["{"];
        yield return [new string('[', 10_000) + new string(']', 10_000)];
        yield return ["{\"message\":" + new string('[', 1_000) + "}"];
        yield return ["{\"message\":\"" + new string('a', 70_000) + "\"}"];
        yield return ["{\"message\":\"\\u0000\"}"];
        yield return ["{\"message\":\"\\ud800\"}"];
        yield return ["{\"message\":\"hi\",\"message\":\"again\"}"];
        yield return ["{\"message\":\"hi\",\"session_id\":\"../../etc/passwd\"}"];
        yield return ["{\"message\":\"hi\",\"session_id\":\"" + new string('s', 65) + "\"}"];
        yield return ["{\"message\":\"hi\",\"priority\":\"1\"}"];
        yield return ["{\"message\":\"hi\",\"client_message_id\":\"\\n\"}"];
        yield return ["{\"message\":\"research " + string.Concat(Enumerable.Repeat("a.", 1_900)) + " up to 9999999 pages\"}"];
        yield return ["{\"message\":\"# a" + new string(' ', 3_900) + "b on example.org\"}"];
        yield return ["{\"message\":\"" + string.Concat(Enumerable.Repeat("http://a", 490)) + "\"}"];
        yield return ["[\"message\"]"];
        yield return ["null"];
        yield return ["{\"message\":1e999999}"];
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task An_adversarial_body_gets_a_quick_answer_and_never_a_server_error(string body) => await PostWithinAsync(Encoding.UTF8.GetBytes(body));

    [Fact]
    public async Task Random_bodies_get_quick_answers_and_never_a_server_error()
    {
        var random = new Random(20261201);
        const string alphabet = "{}[]\":,\\ .-_01239eEtrufalsnmgeidp#*<>/é日\0\n\tu";
        for (var i = 0; i < 80; i++)
        {
            var text = new StringBuilder();
            var length = random.Next(0, 3_000);
            if (random.Next(2) == 0)
            {
                text.Append("{\"message\":\"");
            }
            for (var j = 0; j < length; j++)
            {
                text.Append(alphabet[random.Next(alphabet.Length)], random.Next(4) == 0 ? random.Next(1, 50) : 1);
            }
            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            if (random.Next(4) == 0 && bytes.Length > 2)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(0x80, 0x100); // not UTF-8
            }
            await PostWithinAsync(bytes);
        }
    }

    private async Task PostWithinAsync(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var clock = Stopwatch.StartNew();
        using var response = await web.Http.PostAsync("chat/integrated", content);
        var answer = await response.Content.ReadAsStringAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}: {answer}");
        if (!response.IsSuccessStatusCode)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
