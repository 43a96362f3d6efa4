namespace Missions.PostgreSql;

/// <summary>A store the process needs cannot be used (unreachable, refused, or with a schema it does not know); the message says which and where.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
