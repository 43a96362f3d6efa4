using Microsoft.AspNetCore.Http;

namespace Missions.Web.Http;

/// <summary>How the exception handlers answer: a problem (RFC 9457) with its status, title and what to do.</summary>
public static class ProblemResponses
{
    public static ValueTask<bool> TryWriteProblemAsync(this IProblemDetailsService problems, HttpContext httpContext, Exception exception,
        int status, string title, string detail)
    {
        httpContext.Response.StatusCode = status;
        return problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
