using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Missions.Web.Http;

/// <summary>
/// A grain that does not answer in time, or whose silo is gone or unreachable (a silo frozen or cut off, until the
/// cluster declares it dead and its grains move): a 503 that says to retry, not a 500. The request may have taken
/// effect before the answer was lost, and the problem says so; the details go to the log. And a lost race with another
/// writer of the same stream (<see cref="ConcurrentChangeException"/>, seen when a frozen silo's grains moved): a 409
/// that says to send it again.
/// </summary>
public sealed partial class ClusterUnavailableExceptionHandler(ILogger<ClusterUnavailableExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>How long a client is asked to wait before it tries again, in seconds.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if ((exception as ConcurrentChangeException ?? exception.InnerException as ConcurrentChangeException) is not null)
        {
            // A lost race with another writer of the same mission or conversation: nothing of that write was made.
            await Problems.Conflict("It changed meanwhile", "The mission or conversation changed while this request was being carried out; "
                + "send it again (a chat message sent again with the same client_message_id is taken once).").ExecuteAsync(httpContext);
            return true;
        }
        if (!IsUnavailable(exception) && !(exception.InnerException is { } inner && IsUnavailable(inner)))
        {
            return false;
        }
        LogUnavailable(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        await Problems.Full(httpContext, "Part of the service is not answering",
            $"The request did not get its answer in time; try again in {RetryAfterSeconds} seconds. It may have taken effect "
            + "before the answer was lost: look before you repeat it (a chat message sent again with the same "
            + "client_message_id is taken once).", RetryAfterSeconds).ExecuteAsync(httpContext);
        return true;
    }

    /// <summary>A grain call that timed out, or a silo that is gone or refuses the message.</summary>
    private static bool IsUnavailable(Exception exception) =>
        exception is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: part of the cluster did not answer; the client was told 503 and to retry")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string method, string path);
}
