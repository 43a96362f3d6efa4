using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Missions.Web.Http;

/// <summary>ProblemDetails (RFC 9457) answers with a message a person understands.</summary>
public static class Problems
{
    public static ProblemHttpResult BadRequest(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(title: "Too large", detail: detail, statusCode: StatusCodes.Status413PayloadTooLarge);

    public static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Forbidden(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status403Forbidden);

    public static ProblemHttpResult Unauthorized(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>The request does not fit what the mission or conversation is now (409): why, and what to do instead.</summary>
    public static ProblemHttpResult Conflict(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status409Conflict);

    /// <summary>Something the request needs cannot be had just now (503), without a time to ask again.</summary>
    public static ProblemHttpResult Unavailable(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>A limit of this person's was reached (429): which, and when to ask again.</summary>
    public static ProblemHttpResult TooMany(HttpContext context, string title, string detail, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status429TooManyRequests);
    }

    /// <summary>The service as a whole is full (503): which limit, and when to ask again.</summary>
    public static ProblemHttpResult Full(HttpContext context, string title, string detail, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    public static ProblemHttpResult UnsupportedMediaType(string? contentType) =>
        TypedResults.Problem(title: "JSON required",
            detail: (string.IsNullOrEmpty(contentType) ? "The request has no Content-Type." : $"The request's Content-Type is '{Shorten(contentType)}'.") +
                    " Send Content-Type: application/json (with a JSON body, {} when there is nothing to say).",
            statusCode: StatusCodes.Status415UnsupportedMediaType);

    public static ProblemHttpResult InvalidId(string what, string value) =>
        BadRequest($"Invalid {what}", $"'{Shorten(value)}' is not a valid {what}: use {Ids.Rule}.");

    /// <summary>What a client sent, cut for quoting back in a problem's detail.</summary>
    public static string Shorten(string value, int max = 80) => value.Length > max ? value[..max] + "…" : value;
}
