namespace Missions.Log;

/// <summary>A log this process writes, as its health sees it.</summary>
public interface IWrittenLog
{
    /// <summary>Why the last write failed, or null when it succeeded.</summary>
    string? LastFailure { get; }
}
