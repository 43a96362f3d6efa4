namespace Missions.Log;

/// <summary>
/// The in-memory index of <c>missions.jsonl</c>: for each mission, where its lines are and its current status.
/// Built by one scan at start, then kept up to date line by line (by the writer, or by a tailer in another process).
/// Results stay on disk: a view reads its mission's lines by offset.
/// </summary>
public sealed class MissionIndex
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _byId;
    private readonly Dictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _byIdSpan;
    private readonly List<Entry> _inOrder = [];

    /// <summary>Created missions not yet terminal: the queue sweeps these (in creation order), not the whole log.</summary>
    private readonly HashSet<Entry> _unfinished = [];
    private readonly int[] _countByStatus = new int[StatusCount];

    /// <summary>Each owner's missions and schedules, in creation order, and their counts: a person's list is read from theirs, not filtered from everyone's.</summary>
    private readonly Dictionary<string, Owned> _byOwner = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Owned>.AlternateLookup<ReadOnlySpan<char>> _byOwnerSpan;

    private static readonly int StatusCount = Enum.GetValues<MissionStatus>().Length;

    /// <summary>The log offset just past the last line indexed (its newline included).</summary>
    private long _covered;

    /// <summary>Lines added since the index was restored or last captured.</summary>
    private long _linesSinceCapture;

    /// <summary>The mission of the last line in the log.</summary>
    private Entry? _last;

    public MissionIndex()
    {
        _byId = new Dictionary<string, Entry>(StringComparer.Ordinal);
        _byIdSpan = _byId.GetAlternateLookup<ReadOnlySpan<char>>();
        _byOwnerSpan = _byOwner.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private sealed class Owned(string owner)
    {
        public readonly string Owner = owner;
        public readonly List<Entry> Missions = [];
        public readonly List<Entry> Schedules = [];
        public readonly int[] CountByStatus = new int[StatusCount];
    }

    private sealed class Entry(string missionId, int order)
    {
        public readonly string MissionId = missionId;
        public readonly int Order = order;
        public LineRef[] Lines = new LineRef[4];
        public int LineCount;
        public MissionStatus Status = MissionStatus.Proposed;
        public bool Created;
        public MissionPriority Priority = MissionPriority.Normal;

        /// <summary>Whose it is (set by its creation line), with that owner's lists and counts.</summary>
        public Owned? Owned;

        /// <summary>A retry's backoff: not to be dispatched before this (UTC ticks).</summary>
        public long NotBefore;
    }

    /// <summary>The last line of the log: its mission and that mission's version there (its <c>seq</c>), or null for an empty log.</summary>
    public (string MissionId, int Seq)? LastLine
    {
        get
        {
            lock (_lock)
            {
                return _last is { } last ? (last.MissionId, last.LineCount) : null;
            }
        }
    }

    public int Count
    {
        get { lock (_lock) { return _inOrder.Count; } }
    }

    /// <summary>
    /// Told of each mission's creation and each end (a terminal status) as its line is indexed, with the mission's
    /// place in creation order; called on the writer's path, outside the index's lock: it must be quick.
    /// </summary>
    public Action<int, MissionEvent>? Observer { get; set; }

    /// <summary>Adds one line of the log to the index.</summary>
    public void Add(MissionEvent e, LineRef line)
    {
        var order = Add(e.MissionId, MissionLineHeader.Of(e), line, e switch
        {
            MissionCreated c => c.Owner,
            ScheduleCreated s => s.Owner,
            _ => null,
        });
        if (Observer is { } observer && (e is MissionCreated || e is MissionStatusUpdated u && u.Status.IsTerminal()))
        {
            observer(order, e);
        }
    }

    /// <summary>
    /// Adds one line of the log to the index from its facts alone (opening a log: nobody listens yet). The id is
    /// made a string only for a mission not seen before. Returns the mission's place in creation order.
    /// </summary>
    public int Add(ReadOnlySpan<char> missionId, in MissionLineHeader facts, LineRef line, ReadOnlySpan<char> owner = default)
    {
        lock (_lock)
        {
            if (!_byIdSpan.TryGetValue(missionId, out var entry))
            {
                var id = missionId.ToString();
                entry = new Entry(id, _inOrder.Count);
                _byId.Add(id, entry);
                _inOrder.Add(entry);
            }
            if (entry.LineCount == entry.Lines.Length)
            {
                Array.Resize(ref entry.Lines, entry.Lines.Length * 2);
            }
            entry.Lines[entry.LineCount++] = line;
            _covered = Math.Max(_covered, line.Offset + line.Length + 1);
            _last = entry;
            _linesSinceCapture++;
            switch (facts.Kind)
            {
                case MissionLineKind.Created when !entry.Created:
                    entry.Created = true;
                    entry.Priority = facts.Priority;
                    entry.Owned = OwnedBy(owner);
                    entry.Owned.Missions.Add(entry);
                    entry.Owned.CountByStatus[(int)entry.Status]++;
                    _countByStatus[(int)entry.Status]++;
                    if (!entry.Status.IsTerminal())
                    {
                        _unfinished.Add(entry);
                    }
                    break;
                case MissionLineKind.StatusUpdated:
                    if (entry.Created)
                    {
                        _countByStatus[(int)entry.Status]--;
                        _countByStatus[(int)facts.Status]++;
                        entry.Owned!.CountByStatus[(int)entry.Status]--;
                        entry.Owned.CountByStatus[(int)facts.Status]++;
                    }
                    entry.Status = facts.Status;
                    entry.NotBefore = facts.RetryAtTicks;
                    if (!entry.Created)
                    {
                        break;
                    }
                    if (facts.Status.IsTerminal())
                    {
                        _unfinished.Remove(entry);
                    }
                    else
                    {
                        _unfinished.Add(entry);
                    }
                    break;
                case MissionLineKind.Revised:
                    entry.Priority = facts.Priority;
                    break;
                case MissionLineKind.Schedule when entry.Owned is null && entry.LineCount == 1:
                    entry.Owned = OwnedBy(owner); // a schedule's first line is its creation
                    entry.Owned.Schedules.Add(entry);
                    break;
            }
            return entry.Order;
        }
    }

    /// <summary>One mission's entry as a checkpoint holds it.</summary>
    public readonly record struct Captured(
        string MissionId, MissionStatus Status, bool Created, MissionPriority Priority, long NotBefore, LineRef[] Lines, int LineCount, string? Owner);

    /// <summary>Lines added since the last checkpoint was captured (or the index restored from one).</summary>
    public long LinesSinceCapture
    {
        get { lock (_lock) { return _linesSinceCapture; } }
    }

    /// <summary>
    /// A consistent copy of the index for a checkpoint: every mission in creation order and the log offset it
    /// covers. Lines are shared, not copied: a mission's lines before its count never change.
    /// </summary>
    public (long Covered, IReadOnlyList<Captured> Entries) Capture()
    {
        lock (_lock)
        {
            _linesSinceCapture = 0;
            return (_covered, _inOrder.Select(e => new Captured(e.MissionId, e.Status, e.Created, e.Priority, e.NotBefore, e.Lines, e.LineCount, e.Owned?.Owner)).ToList());
        }
    }

    /// <summary>Fills an empty index from a checkpoint.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Restore(long covered, IReadOnlyList<Captured> entries)
    {
        lock (_lock)
        {
            if (_inOrder.Count > 0)
            {
                throw new InvalidOperationException("Only an empty index can be restored.");
            }
            _byId.EnsureCapacity(entries.Count);
            _inOrder.Capacity = entries.Count;
            foreach (var c in entries)
            {
                var entry = new Entry(c.MissionId, _inOrder.Count)
                {
                    Lines = c.Lines, LineCount = c.LineCount, Status = c.Status, Created = c.Created, Priority = c.Priority, NotBefore = c.NotBefore,
                };
                _byId.Add(c.MissionId, entry);
                _inOrder.Add(entry);
                if (c.Owner is { } owner)
                {
                    entry.Owned = OwnedBy(owner);
                    (c.Created ? entry.Owned.Missions : entry.Owned.Schedules).Add(entry);
                    if (c.Created)
                    {
                        entry.Owned.CountByStatus[(int)c.Status]++;
                    }
                }
                if (c.LineCount > 0 && (_last is null || c.Lines[c.LineCount - 1].Offset > _last.Lines[_last.LineCount - 1].Offset))
                {
                    _last = entry;
                }
                if (c.Created)
                {
                    _countByStatus[(int)c.Status]++;
                    if (!c.Status.IsTerminal())
                    {
                        _unfinished.Add(entry);
                    }
                }
            }
            _covered = covered;
            _linesSinceCapture = 0;
        }
    }

    /// <summary>The owner's lists (made on first use); an empty owner is the local owner (lines from before owners were recorded).</summary>
    private Owned OwnedBy(ReadOnlySpan<char> owner)
    {
        if (owner.IsEmpty)
        {
            owner = Owners.Local;
        }
        if (!_byOwnerSpan.TryGetValue(owner, out var owned))
        {
            var name = owner.ToString();
            _byOwner.Add(name, owned = new Owned(name));
        }
        return owned;
    }

    /// <summary>Whose the mission or schedule is, or null when it does not exist (a mission not created, an unknown id).</summary>
    public string? OwnerOf(string id)
    {
        lock (_lock)
        {
            return _byId.TryGetValue(id, out var entry) ? entry.Owned?.Owner : null;
        }
    }

    /// <summary>Missions waiting to run or to be decided on (queued, proposed), of everyone or of one owner.</summary>
    public int Waiting(string? owner = null)
    {
        lock (_lock)
        {
            var counts = owner is null ? _countByStatus : _byOwner.TryGetValue(owner, out var owned) ? owned.CountByStatus : null;
            return counts is null ? 0 : counts[(int)MissionStatus.Queued] + counts[(int)MissionStatus.Proposed];
        }
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

    /// <summary>
    /// Missions that were created, are not waiting for approval and have not reached a terminal status, oldest first;
    /// with <paramref name="dueBy"/>, only those whose retry backoff (if any) has passed by then.
    /// </summary>
    public IReadOnlyList<string> Unfinished(DateTime? dueBy = null) => UnfinishedWithPriority(dueBy).Select(m => m.MissionId).ToList();

    /// <summary>As <see cref="Unfinished"/>, with each mission's priority.</summary>
    public IReadOnlyList<(string MissionId, MissionPriority Priority)> UnfinishedWithPriority(DateTime? dueBy = null)
    {
        var due = dueBy?.Ticks ?? long.MaxValue;
        lock (_lock)
        {
            return _unfinished.Where(e => e.Status != MissionStatus.Proposed && e.NotBefore <= due).OrderBy(e => e.Order).Select(e => (e.MissionId, e.Priority)).ToList();
        }
    }

    /// <summary>The schedules' streams (ids <c>sch-…</c>), oldest first; with <paramref name="owner"/>, that owner's only.</summary>
    public IReadOnlyList<string> Schedules(string? owner = null)
    {
        lock (_lock)
        {
            if (owner is not null)
            {
                return _byOwner.TryGetValue(owner, out var owned) ? owned.Schedules.Select(e => e.MissionId).ToList() : [];
            }
            return _inOrder.Where(e => !e.Created && ScheduleIds.IsSchedule(e.MissionId)).Select(e => e.MissionId).ToList();
        }
    }

    /// <summary>Proposals waiting for a person's approval, oldest first.</summary>
    public IReadOnlyList<string> Active()
    {
        lock (_lock)
        {
            return _unfinished.Where(e => e.Status == MissionStatus.Active).OrderBy(e => e.Order).Select(e => e.MissionId).ToList();
        }
    }

    public IReadOnlyList<string> Proposed()
    {
        lock (_lock)
        {
            return _unfinished.Where(e => e.Status == MissionStatus.Proposed).OrderBy(e => e.Order).Select(e => e.MissionId).ToList();
        }
    }

    /// <summary>The mission or schedule at a place in creation order: its id, lines so far and status; null past the end.</summary>
    public (string MissionId, LineRef[] Lines, MissionStatus Status, bool Created)? At(int order)
    {
        lock (_lock)
        {
            if (order < 0 || order >= _inOrder.Count)
            {
                return null;
            }
            var entry = _inOrder[order];
            return (entry.MissionId, entry.Lines[..entry.LineCount], entry.Status, entry.Created);
        }
    }

    /// <summary>The id at a place in creation order, or null past the end.</summary>
    public string? IdAt(int order)
    {
        lock (_lock)
        {
            return order >= 0 && order < _inOrder.Count ? _inOrder[order].MissionId : null;
        }
    }

    /// <summary>
    /// The newest missions first, optionally only those in one status, starting after <paramref name="before"/>
    /// (a mission id: the last one of the previous page); with <paramref name="match"/>, only the places in creation
    /// order it accepts (a search's). It is called under the index's lock: it must not call back into the index.
    /// </summary>
    public IReadOnlyList<(string MissionId, LineRef[] Lines)> Newest(MissionStatus? status, int limit, string? before = null, string? owner = null, IFilter? match = null)
    {
        var result = new List<(string, LineRef[])>(Math.Min(limit, 256));
        lock (_lock)
        {
            var list = _inOrder;
            if (owner is not null)
            {
                list = _byOwner.TryGetValue(owner, out var owned) ? owned.Missions : [];
            }
            var start = list.Count - 1;
            if (before is not null && _byId.TryGetValue(before, out var cursor))
            {
                // A list in creation order: the cursor's place by its order (an owner's list is a subsequence of the whole).
                var at = list.BinarySearch(cursor, ByOrder.Instance);
                start = (at >= 0 ? at : ~at) - 1;
            }
            // Everyone's list is in creation order (its index is the place): a filter skips to its next candidate.
            var skips = match is not null && ReferenceEquals(list, _inOrder);
            for (var i = skips ? match!.Previous(start) : start; i >= 0 && result.Count < limit; i = skips ? match!.Previous(i - 1) : i - 1)
            {
                var entry = list[i];
                if (entry.Created && (status is null || entry.Status == status) && (match is null || match.Matches(entry.Order)))
                {
                    result.Add((entry.MissionId, entry.Lines[..entry.LineCount]));
                }
            }
        }
        return result;
    }

    /// <summary>Which places in creation order a listing takes (a search), and the next candidate at or below a place (-1: none), so a listing need not look at each.</summary>
    public interface IFilter
    {
        bool Matches(int order);

        int Previous(int order);
    }

    /// <summary>How many missions are in each status (kept as lines arrive, not counted per call), of everyone or of one owner.</summary>
    public IReadOnlyDictionary<MissionStatus, int> CountByStatus(string? owner = null)
    {
        lock (_lock)
        {
            var counts = owner is null ? _countByStatus : _byOwner.TryGetValue(owner, out var owned) ? owned.CountByStatus : new int[StatusCount];
            return Enum.GetValues<MissionStatus>().ToDictionary(s => s, s => counts[(int)s]);
        }
    }

    private sealed class ByOrder : IComparer<Entry>
    {
        public static readonly ByOrder Instance = new();

        public int Compare(Entry? x, Entry? y) => x!.Order.CompareTo(y!.Order);
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
