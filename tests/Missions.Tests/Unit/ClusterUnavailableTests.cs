using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Missions.Web.Http;

namespace Missions.Tests.Unit;

/// <summary>
/// A grain that does not answer (its silo frozen or cut off until the cluster declares it dead) made requests end in
/// a 500 after Orleans' 30 s response timeout — measured with a silo SIGSTOPped under load (HttpBench --freeze-silo).
/// </summary>
public sealed class ClusterUnavailableTests
{
    public static TheoryData<Exception> Unanswered => new()
    {
        new TimeoutException("Response did not arrive on time in 00:00:30 for message: Request …"),
        new SiloUnavailableException("The target silo became unavailable"),
        new InvalidOperationException("wrapped", new TimeoutException("Response did not arrive on time")),
    };

    [Theory]
    [MemberData(nameof(Unanswered))]
    public async Task A_grain_that_does_not_answer_is_a_503_that_says_to_retry_and_that_the_request_may_have_taken_effect(Exception exception)
    {
        var (handled, context, body) = await HandleAsync(exception);

        Assert.True(handled);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("5", context.Response.Headers.RetryAfter.ToString());
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Contains("may have taken effect", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("silo", body, StringComparison.OrdinalIgnoreCase); // where and why go to the log, not to clients
    }

    [Fact]
    public async Task A_lost_race_with_another_writer_is_a_409_that_says_to_send_it_again()
    {
        var (handled, context, body) = await HandleAsync(new ConcurrentChangeException("Conversation s-1 changed in the store underneath this activation; try again."));

        Assert.True(handled);
        Assert.Equal(StatusCodes.Status409Conflict, context.Response.StatusCode);
        Assert.Contains("send it again", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Other_failures_are_left_to_the_next_handler()
    {
        var (handled, _, _) = await HandleAsync(new InvalidOperationException("a bug"));

        Assert.False(handled);
    }

    private static async Task<(bool Handled, HttpContext Context, string Body)> HandleAsync(Exception exception)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "POST";
        context.Request.Path = "/chat/integrated";
        context.Request.Headers.Accept = "application/json";
        var body = new MemoryStream();
        context.Response.Body = body;
        var handler = new ClusterUnavailableExceptionHandler(NullLogger<ClusterUnavailableExceptionHandler>.Instance);
        var handled = await handler.TryHandleAsync(context, exception, CancellationToken.None);
        return (handled, context, System.Text.Encoding.UTF8.GetString(body.ToArray()));
    }
}
