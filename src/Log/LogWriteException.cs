namespace Missions.Log;

/// <summary>A log write failed (disk full, directory not writable, …); nothing of it was kept.</summary>
public sealed class LogWriteException(string message, Exception inner) : IOException(message, inner);
