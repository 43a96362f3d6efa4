using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Missions.Log;

/// <summary>The one set of JSON options the project uses, in the logs and on the wire.</summary>
public static class MissionsJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(MissionsJsonContext.Default.Options)
        {
            // Types of the web layer (request bodies, list pages) fall back to reflection with the same policy.
            TypeInfoResolver = JsonTypeInfoResolver.Combine(MissionsJsonContext.Default, new DefaultJsonTypeInfoResolver()),
        };
        options.MakeReadOnly();
        return options;
    }
}
