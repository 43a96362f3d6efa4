namespace Missions.Log;

/// <summary>
/// The in-memory index of <c>missions.jsonl</c>: for each mission, where its lines are and its current status.
/// Built by one scan at start, then kept up to date line by line (by the writer, or by a tailer in another process).
/// Results stay on disk: a view reads its mission's lines by offset.
/// </summary>
public sealed class MissionIndex
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _byId = new(StringComparer.Ordinal);
    private readonly List<Entry> _inOrder = [];

    /// <summary>Created missions not yet terminal, in creation order: the queue sweeps these, not the whole log.</summary>
    private readonly SortedDictionary<int, Entry> _unfinished = [];
    private readonly int[] _countByStatus = new int[Enum.GetValues<MissionStatus>().Length];

    private sealed class Entry(string missionId, int order)
    {
        public readonly string MissionId = missionId;
        public readonly int Order = order;
        public LineRef[] Lines = new LineRef[4];
        public int LineCount;
        public MissionStatus Status = MissionStatus.Proposed;
        public bool Created;
        public MissionPriority Priority = MissionPriority.Normal;

        /// <summary>A retry's backoff: not to be dispatched before this (UTC ticks).</summary>
        public long NotBefore;
    }

    /// <summary>Raised after a line was added (outside the index's lock).</summary>
    public event Action<MissionEvent>? Changed;

    public int Count
    {
        get { lock (_lock) { return _inOrder.Count; } }
    }

    /// <summary>Adds one line of the log to the index.</summary>
    public void Add(MissionEvent e, LineRef line)
    {
        lock (_lock)
        {
            if (!_byId.TryGetValue(e.MissionId, out var entry))
            {
                entry = new Entry(e.MissionId, _inOrder.Count);
                _byId.Add(e.MissionId, entry);
                _inOrder.Add(entry);
            }
            if (entry.LineCount == entry.Lines.Length)
            {
                Array.Resize(ref entry.Lines, entry.Lines.Length * 2);
            }
            entry.Lines[entry.LineCount++] = line;
            switch (e)
            {
                case MissionCreated created when !entry.Created:
                    entry.Created = true;
                    entry.Priority = created.Priority;
                    _countByStatus[(int)entry.Status]++;
                    if (!entry.Status.IsTerminal())
                    {
                        _unfinished[entry.Order] = entry;
                    }
                    break;
                case MissionStatusUpdated update:
                    if (entry.Created)
                    {
                        _countByStatus[(int)entry.Status]--;
                        _countByStatus[(int)update.Status]++;
                    }
                    entry.Status = update.Status;
                    entry.NotBefore = update.RetryAt?.Ticks ?? 0;
                    if (!entry.Created)
                    {
                        break;
                    }
                    if (update.Status.IsTerminal())
                    {
                        _unfinished.Remove(entry.Order);
                    }
                    else
                    {
                        _unfinished[entry.Order] = entry;
                    }
                    break;
            }
        }
        Changed?.Invoke(e);
    }

    /// <summary>How many lines the mission has: its version. 0 when unknown.</summary>
    public int VersionOf(string missionId)
    {
        lock (_lock)
        {
            return _byId.TryGetValue(missionId, out var entry) ? entry.LineCount : 0;
        }
    }

    /// <summary>Where the mission's lines are, oldest first; empty when unknown.</summary>
    public LineRef[] LinesOf(string missionId)
    {
        lock (_lock)
        {
            return _byId.TryGetValue(missionId, out var entry) ? entry.Lines[..entry.LineCount] : [];
        }
    }

    public MissionPriority PriorityOf(string missionId)
    {
        lock (_lock)
        {
            return _byId.TryGetValue(missionId, out var entry) ? entry.Priority : MissionPriority.Normal;
        }
    }

    /// <summary>
    /// Missions that were created and have not reached a terminal status, oldest first; with <paramref name="dueBy"/>,
    /// only those whose retry backoff (if any) has passed by then.
    /// </summary>
    public IReadOnlyList<string> Unfinished(DateTime? dueBy = null) => UnfinishedWithPriority(dueBy).Select(m => m.MissionId).ToList();

    /// <summary>As <see cref="Unfinished"/>, with each mission's priority.</summary>
    public IReadOnlyList<(string MissionId, MissionPriority Priority)> UnfinishedWithPriority(DateTime? dueBy = null)
    {
        var due = dueBy?.Ticks ?? long.MaxValue;
        lock (_lock)
        {
            return _unfinished.Values.Where(e => e.NotBefore <= due).Select(e => (e.MissionId, e.Priority)).ToList();
        }
    }

    /// <summary>
    /// The newest missions first, optionally only those in one status, starting after <paramref name="before"/>
    /// (a mission id: the last one of the previous page).
    /// </summary>
    public IReadOnlyList<(string MissionId, LineRef[] Lines)> Newest(MissionStatus? status, int limit, string? before = null)
    {
        var result = new List<(string, LineRef[])>(Math.Min(limit, 256));
        lock (_lock)
        {
            var start = before is not null && _byId.TryGetValue(before, out var cursor) ? cursor.Order - 1 : _inOrder.Count - 1;
            for (var i = start; i >= 0 && result.Count < limit; i--)
            {
                var entry = _inOrder[i];
                if (entry.Created && (status is null || entry.Status == status))
                {
                    result.Add((entry.MissionId, entry.Lines[..entry.LineCount]));
                }
            }
        }
        return result;
    }

    /// <summary>How many missions are in each status (kept as lines arrive, not counted per call).</summary>
    public IReadOnlyDictionary<MissionStatus, int> CountByStatus()
    {
        lock (_lock)
        {
            return Enum.GetValues<MissionStatus>().ToDictionary(s => s, s => _countByStatus[(int)s]);
        }
    }

    /// <summary>How many missions are in one status.</summary>
    public int CountOf(MissionStatus status)
    {
        lock (_lock)
        {
            return _countByStatus[(int)status];
        }
    }
}
