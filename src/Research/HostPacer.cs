using System.Collections.Concurrent;
using System.Diagnostics;

namespace Missions.Research;

/// <summary>
/// Politeness: one request at a time per host (from all missions of this process), and at least the host's delay —
/// the configured one, or the site's <c>Crawl-delay</c> when longer — between the end of one and the start of the next.
/// </summary>
public sealed class HostPacer
{
    /// <summary>Hosts remembered before idle ones are forgotten: a mission may wander over many hosts, a process runs for weeks.</summary>
    public const int MaxHosts = 1_000;

    private readonly ConcurrentDictionary<string, Slot> _hosts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Hosts remembered now.</summary>
    public int Count => _hosts.Count;

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
        if (_hosts.Count >= MaxHosts)
        {
            ForgetIdle();
        }
        // Per host, not per origin: http and https (or two ports) of one host are one server to be polite to.
        var slot = _hosts.GetOrAdd(url.IdnHost, _ => new Slot());
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

    /// <summary>
    /// Forgets hosts nobody is waiting for whose delay has passed: forgetting one costs nothing but its memory
    /// (a slot taken in the same instant may let two requests to that host overlap once).
    /// </summary>
    private void ForgetIdle()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var (host, slot) in _hosts)
        {
            if (slot.Gate.CurrentCount == 1 && slot.NextAt < now)
            {
                _hosts.TryRemove(new KeyValuePair<string, Slot>(host, slot));
            }
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
