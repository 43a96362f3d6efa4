namespace Missions.Web.Http;

/// <summary>ProblemDetails (RFC 9457) answers with a message a person understands.</summary>
public static class Problems
{
    public static IResult BadRequest(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static IResult TooLarge(string detail) =>
        TypedResults.Problem(title: "Too large", detail: detail, statusCode: StatusCodes.Status413PayloadTooLarge);

    public static IResult NotFound(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status404NotFound);

    public static IResult InvalidId(string what, string value) =>
        BadRequest($"Invalid {what}", $"'{Shorten(value)}' is not a valid {what}: use {Ids.Rule}.");

    private static string Shorten(string value) => value.Length > 80 ? value[..80] + "…" : value;
}
