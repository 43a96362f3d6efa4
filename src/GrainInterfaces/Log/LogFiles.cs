namespace Missions.Log;

/// <summary>The files of a data directory.</summary>
public static class LogFiles
{
    public const string Missions = "missions.jsonl";
    public const string LearningSignals = "learning_signals.jsonl";
    public const string ChatSessions = "chat_sessions.jsonl";

    public const string DefaultDataDirectory = "./data";
}
