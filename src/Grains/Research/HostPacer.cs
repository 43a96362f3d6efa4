using System.Collections.Concurrent;
using System.Diagnostics;

namespace Missions.Research;

/// <summary>
/// Politeness: one request at a time per host (from all missions of this process), and at least the host's delay —
/// the configured one, or the site's <c>Crawl-delay</c> when longer — between the end of one and the start of the next.
/// </summary>
public sealed class HostPacer
{
    private readonly ConcurrentDictionary<string, Slot> _hosts = new(StringComparer.OrdinalIgnoreCase);

    private sealed class Slot
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public long NextAt;
    }

    /// <summary>Waits for the host's turn; disposing the turn (when the response has been read) starts the delay.</summary>
    public async Task<IDisposable> TakeTurnAsync(Uri url, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            return Turn.None;
        }
        var slot = _hosts.GetOrAdd(url.Authority, _ => new Slot());
        await slot.Gate.WaitAsync(cancellationToken);
        try
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), slot.NextAt);
            if (slot.NextAt != 0 && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }
            return new Turn(slot, delay);
        }
        catch
        {
            slot.Gate.Release();
            throw;
        }
    }

    private sealed class Turn(Slot? slot, TimeSpan delay) : IDisposable
    {
        public static readonly Turn None = new(null, TimeSpan.Zero);
        private int _disposed;

        public void Dispose()
        {
            if (slot is not null && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                slot.NextAt = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
                slot.Gate.Release();
            }
        }
    }
}
