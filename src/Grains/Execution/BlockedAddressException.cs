namespace Missions.Execution;

/// <summary>A connection refused by <see cref="NetworkGuard"/>: a permanent failure, never retried.</summary>
public sealed class BlockedAddressException(string message) : IOException(message);
