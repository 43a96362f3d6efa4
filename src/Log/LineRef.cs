namespace Missions.Log;

/// <summary>Where one line sits in a log file (without its newline).</summary>
public readonly record struct LineRef(long Offset, int Length);
