using Microsoft.AspNetCore.Diagnostics;
using Missions.Log;

namespace Missions.Web.Http;

/// <summary>A log or store that cannot be written (disk full, directory not writable, database unreachable) is a 503 with the reason, not a 500.</summary>
public sealed class LogUnavailableExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var logFailure = exception as LogWriteException ?? exception.InnerException as LogWriteException;
        if (logFailure is null)
        {
            return false;
        }
        await Problems.Unavailable("The mission log cannot be written", logFailure.Kept is { } kept
            ? $"{logFailure.Message} {kept}"
            : $"{logFailure.Message} Nothing of this request was kept; try again in a moment.").ExecuteAsync(httpContext);
        return true;
    }
}
