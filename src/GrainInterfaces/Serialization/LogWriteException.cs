namespace Missions;

/// <summary>
/// A log or store write failed (a full disk, an unwritable directory, the database unreachable); nothing of that write
/// was kept — but what the request did before it may have been (<see cref="Kept"/>). It crosses grain calls to whoever asked — across processes too, in client and cluster mode — so it is
/// serializable; what caused it is in its message (the cause itself stays in the log of the process that failed).
/// </summary>
[GenerateSerializer]
public sealed class LogWriteException : IOException
{
    public LogWriteException(string message) : base(message)
    {
    }

    public LogWriteException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>What the request made durably before this write failed, in words for the person (null: nothing).</summary>
    [Id(0)] public string? Kept { get; init; }
}
