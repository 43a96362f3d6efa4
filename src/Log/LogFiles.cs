namespace Missions.Log;

/// <summary>The files of a data directory.</summary>
public static class LogFiles
{
    public const string Missions = "missions.jsonl";

    /// <summary>The mission index's checkpoint: a cache beside the log, safe to delete (the log is then read whole).</summary>
    public const string MissionsIndex = "missions.index";
    public const string LearningSignals = "learning_signals.jsonl";
    public const string ChatSessions = "chat_sessions.jsonl";

    /// <summary>The page's Data Protection keys (its sign-in and antiforgery cookies) on the embedded default.</summary>
    public const string Keys = "keys";

    public const string DefaultDataDirectory = "./data";
}
