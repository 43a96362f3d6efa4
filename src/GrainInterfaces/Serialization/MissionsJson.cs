using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace Missions;

/// <summary>
/// The one set of JSON options the project uses, in the logs and on the wire: snake_case, nulls left out,
/// non-ASCII text kept readable (HTML-sensitive characters are still escaped).
/// </summary>
public static class MissionsJson
{
    /// <summary>The source-generated serializers with the project's options; use these on hot paths.</summary>
    public static MissionsJsonContext Context { get; } = new(new JsonSerializerOptions(MissionsJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    });

    /// <summary>The same options, falling back to reflection for types of the web layer (request bodies, pages).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(Context.Options)
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine(Context, new DefaultJsonTypeInfoResolver()),
        };
        options.MakeReadOnly();
        return options;
    }
}
