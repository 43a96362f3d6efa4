namespace Missions.Web.Hosting;

/// <summary>Where the API's OpenAPI document and its interactive reference are served (both public: they hold no data).</summary>
public static class ApiDocument
{
    public const string Route = "/openapi/{documentName}.json";

    public const string ReferencePath = "/api/reference";
}
