namespace Missions;

/// <summary>
/// A mission or conversation changed in the store while this request was being carried out (another activation or
/// writer got there first — after a silo was declared dead and its grains moved, say): the request's write was not
/// made, and the activation that found it out goes, so the next attempt starts from what the store holds. It crosses
/// grain calls and processes, so it is serializable; the web frontend answers it 409 "send it again".
/// </summary>
[GenerateSerializer]
public sealed class ConcurrentChangeException : InvalidOperationException
{
    public ConcurrentChangeException(string message) : base(message)
    {
    }

    public ConcurrentChangeException(string message, Exception inner) : base(message, inner)
    {
    }
}
