namespace Missions.Log;

/// <summary>Where the logs live (<c>Missions:DataDirectory</c>).</summary>
public sealed class MissionsOptions
{
    public string DataDirectory { get; set; } = LogFiles.DefaultDataDirectory;

    public string PathOf(string file) => System.IO.Path.Combine(System.IO.Path.GetFullPath(DataDirectory), file);
}
