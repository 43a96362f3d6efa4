using Microsoft.Extensions.Options;
using Missions.Signals;

namespace Missions.Log;

/// <summary><c>learning_signals.jsonl</c>: append-only, durable before the append returns.</summary>
public sealed class SignalLog : IAsyncDisposable
{
    private readonly JsonlFile _file;

    public SignalLog(IOptions<MissionsOptions> options, ILogger<SignalLog> logger)
    {
        // Nothing is indexed; the scan only finds where good data ends.
        _file = JsonlFile.Open(options.Value.PathOf(LogFiles.LearningSignals), (_, _) => true, logger);
    }

    public Task AppendAsync(LearningSignal signal)
    {
        var (payload, lines) = JsonlLines.Serialize([signal], MissionsJson.Context.LearningSignal);
        return _file.Appender.AppendAsync(payload, lines.Length);
    }

    /// <summary>Why the last write failed, or null when it succeeded.</summary>
    public string? LastFailure => _file.Appender.LastFailure;

    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
